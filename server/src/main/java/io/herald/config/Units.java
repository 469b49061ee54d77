package io.herald.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the human-friendly durations and byte sizes used in the config.
 *
 * <p>Durations: a non-negative integer followed by {@code ms}, {@code s}, {@code m}, {@code h} or
 * {@code d}; a bare integer means seconds. Sizes: a non-negative integer of bytes, optionally
 * followed by {@code B}, {@code KB} (1000), {@code KiB} (1024), {@code MB} (1000²) or
 * {@code MiB} (1024²), case-insensitive.
 */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*(b|kb|kib|mb|mib)?");

    private Units() {
    }

    /** Parses a duration; {@code path} names the key in the error message. */
    public static Duration duration(String text, String path) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(path + ": invalid duration '" + text + "' (use e.g. 25s, 5m, 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (ArithmeticException e) {
            throw new ConfigException(path + ": duration '" + text + "' is too large", e);
        }
    }

    /** Parses a byte size; {@code path} names the key in the error message. */
    static long size(String text, String path) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new ConfigException(path + ": invalid size '" + text + "' (use e.g. 65536, 64KiB, 1MiB, 64KB)");
        }
        long amount = Long.parseLong(m.group(1));
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 1000L;
            case "kib" -> 1024L;
            case "mb" -> 1000L * 1000L;
            case "mib" -> 1024L * 1024L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(amount, unit);
        } catch (ArithmeticException e) {
            throw new ConfigException(path + ": size '" + text + "' is too large", e);
        }
    }

    /** Formats a duration in the largest unit that represents it exactly, so it reads back unchanged. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s != 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    /** Formats a byte size in MiB or KiB when exact, else in bytes. */
    static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1024L * 1024L) == 0) {
            return bytes / (1024L * 1024L) + "MiB";
        }
        if (bytes != 0 && bytes % 1024L == 0) {
            return bytes / 1024L + "KiB";
        }
        return Long.toString(bytes);
    }
}
