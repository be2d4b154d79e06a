package dev.jseek.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} in the C locale, for {@code strftime_now} (Llama 3.x writes
 * today's date into its system prompt). Also glibc's {@code %-d}-style unpadded numbers.
 */
final class Strftime {

    private Strftime() {
    }

    static String format(LocalDateTime t, String pattern) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                sb.append(c);
                continue;
            }
            boolean unpadded = pattern.charAt(i + 1) == '-' && i + 2 < pattern.length();
            char directive = pattern.charAt(unpadded ? i + 2 : i + 1);
            String field = field(t, directive, unpadded);
            if (field == null) {
                sb.append(c);
                continue;
            }
            sb.append(field);
            i += unpadded ? 2 : 1;
        }
        return sb.toString();
    }

    /** One directive's text, or null for a directive this clock does not know (printed as it is). */
    private static String field(LocalDateTime t, char directive, boolean unpadded) {
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        return switch (directive) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'd' -> number(t.getDayOfMonth(), 2, unpadded);
            case 'e' -> unpadded ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
            case 'f' -> String.format("%06d", t.getNano() / 1000);
            case 'H' -> number(t.getHour(), 2, unpadded);
            case 'I' -> number(hour12, 2, unpadded);
            case 'j' -> number(t.getDayOfYear(), 3, unpadded);
            case 'm' -> number(t.getMonthValue(), 2, unpadded);
            case 'M' -> number(t.getMinute(), 2, unpadded);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'S' -> number(t.getSecond(), 2, unpadded);
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'y' -> number(t.getYear() % 100, 2, unpadded);
            case 'Y' -> Integer.toString(t.getYear());
            case 'z', 'Z' -> "";
            case '%' -> "%";
            default -> null;
        };
    }

    private static String number(int value, int width, boolean unpadded) {
        return unpadded ? Integer.toString(value) : String.format("%0" + width + "d", value);
    }
}
