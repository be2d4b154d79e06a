package dev.jseek.store;

import dev.jseek.gguf.SplitName;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The quantization a GGUF file name states, as uploaders write it: {@code Model-Q4_K_M.gguf},
 * {@code model.q8_0.gguf}, {@code Model-UD-Q2_K_XL-00001-of-00005.gguf}, {@code Model-BF16.gguf}.
 */
final class Quantization {

    // A quant tag stands between separators; "UD-" is unsloth's dynamic variant, a quant of its own.
    private static final Pattern TAG = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])((?:UD-)?(?:I?Q\\d(?:_[A-Z0-9]+)*|TQ\\d_\\d|BF16|F16|F32))(?![A-Za-z0-9])");

    private Quantization() {
    }

    /** The upper-case quant tag of {@code fileName} (its last one), or null when it names none. */
    static String of(String fileName) {
        SplitName split = SplitName.parse(fileName);
        String stem = split != null ? split.prefix() : fileName.replaceFirst("(?i)\\.gguf$", "");
        Matcher m = TAG.matcher(stem);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last == null ? null : last.toUpperCase(Locale.ROOT);
    }

    /** Whether {@code text} is written like a quant tag (a suffix such as {@code :q8_0}). */
    static boolean looksLikeQuant(String text) {
        return TAG.matcher(text).matches();
    }
}
