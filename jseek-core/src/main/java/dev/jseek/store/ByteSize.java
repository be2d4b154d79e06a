package dev.jseek.store;

import java.util.Locale;

/** Byte counts as people read them: decimal units, three significant digits ("1.12 GB"), as Hugging Face shows sizes. */
public final class ByteSize {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

    private ByteSize() {
    }

    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        double v = bytes;
        int unit = 0;
        while (v >= 999.5 && unit < UNITS.length - 1) {
            v /= 1000;
            unit++;
        }
        String digits = v >= 99.95 ? "%.0f" : v >= 9.995 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits, v) + " " + UNITS[unit];
    }
}
