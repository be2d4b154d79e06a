package dev.jseek.gguf;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's name for one part of a split model, {@code PREFIX-00001-of-00009.gguf}: parts are
 * numbered from 1 in the name (the file's {@code split.no} counts from 0).
 */
public record SplitName(String prefix, int part, int count) {

    private static final Pattern PATTERN = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.gguf");

    /** The split name of {@code fileName}, or null when it is not named as a part. */
    public static SplitName parse(String fileName) {
        Matcher m = PATTERN.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        int part = Integer.parseInt(m.group(2));
        int count = Integer.parseInt(m.group(3));
        return part >= 1 && part <= count ? new SplitName(m.group(1), part, count) : null;
    }

    /** The file name of part {@code n} (from 1) of the same model. */
    public String fileName(int n) {
        return String.format("%s-%05d-of-%05d.gguf", prefix, n, count);
    }
}
