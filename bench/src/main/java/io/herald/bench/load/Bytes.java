package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Finds a few numeric JSON fields in a frame without parsing it: every generator process handles
 * hundreds of thousands of frames a second, so it must not build objects per message.
 */
final class Bytes {
    static final byte[] T = ascii("\"t\":");
    static final byte[] SEQ = ascii("\"seq\":");
    static final byte[] OFFSET = ascii("\"offset\":");
    static final byte[] CH = ascii("\"ch\":\"");
    static final byte[] CSEQ = ascii("\"cseq\":");
    static final byte[] CHANNEL = ascii("\"channel\":\"");

    private Bytes() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Absolute index of {@code key} in {@code b} within [from, to), or -1. */
    static int indexOf(ByteBuf b, byte[] key, int from, int to) {
        byte first = key[0];
        for (int i = from, last = to - key.length; i <= last; i++) {
            if (b.getByte(i) == first && matches(b, i, key)) {
                return i;
            }
        }
        return -1;
    }

    /** Last absolute index of {@code key} within [from, to), or -1: for fields near a frame's end. */
    static int lastIndexOf(ByteBuf b, byte[] key, int from, int to) {
        byte first = key[0];
        for (int i = to - key.length; i >= from; i--) {
            if (b.getByte(i) == first && matches(b, i, key)) {
                return i;
            }
        }
        return -1;
    }

    static boolean matches(ByteBuf b, int at, byte[] key) {
        if (at < 0 || at + key.length > b.writerIndex()) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (b.getByte(at + k) != key[k]) {
                return false;
            }
        }
        return true;
    }

    /** True when the ASCII string {@code s} lies at {@code at} in {@code b}. */
    static boolean matchesAscii(ByteBuf b, int at, String s) {
        if (at < 0 || at + s.length() > b.writerIndex()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (b.getByte(at + k) != (byte) s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** True when the readable bytes start with {@code prefix}. */
    static boolean startsWith(ByteBuf b, byte[] prefix) {
        return matches(b, b.readerIndex(), prefix);
    }

    /** The non-negative decimal number right after {@code key} at or after {@code from}, or -1. */
    static long number(ByteBuf b, byte[] key, int from, int to) {
        int i = indexOf(b, key, from, to);
        return i < 0 ? -1 : digits(b, i + key.length, to);
    }

    /** Parses decimal digits starting at {@code i}; -1 when there are none. */
    static long digits(ByteBuf b, int i, int to) {
        long v = 0;
        int start = i;
        while (i < to) {
            int c = b.getByte(i) - '0';
            if (c < 0 || c > 9) {
                break;
            }
            v = v * 10 + c;
            i++;
        }
        return i == start ? -1 : v;
    }
}
