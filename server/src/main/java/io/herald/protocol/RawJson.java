package io.herald.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value kept as the text its publisher sent: the {@code data} of a publication. It is
 * validated once, where it enters (JSON syntax, {@link JsonCodec#MAX_NESTING}, duplicate keys,
 * strict UTF-8), and from then on written into frames and history as these bytes, never parsed
 * into numbers or re-encoded: {@code 1e400} stays {@code 1e400}, {@code 12345678901234567.89} keeps
 * its digits, <code>&#92;u00e9</code> stays an escape. The one change is that whitespace between tokens
 * is dropped, so a frame is always one line (an SSE {@code data:} line, a history entry).
 * Immutable and thread-safe; the bytes never change.
 */
public final class RawJson {
    private static final int MAX_STRING_LENGTH =
            JsonCodec.MAPPER.getFactory().streamReadConstraints().getMaxStringLength();
    private final byte[] utf8;

    private RawJson(byte[] utf8) {
        this.utf8 = utf8;
    }

    /**
     * Validates {@code json} as one JSON value under the wire's limits and keeps its text (a Java
     * string always encodes to valid UTF-8); throws a Jackson exception (an {@link IOException})
     * saying what is wrong.
     */
    public static RawJson parse(String json) throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = JsonCodec.MAPPER.createParser(b)) {
            if (p.nextToken() == null) {
                throw new JsonParseException(p, "no JSON value");
            }
            int start = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "more than one JSON value");
            }
            return slice(b, start, b.length);
        }
    }

    /**
     * The value in {@code b[from, to)}, strict UTF-8 that a parser has just read as one complete JSON
     * value under the wire's limits (whitespace after it allowed); copies the bytes.
     */
    static RawJson slice(byte[] b, int from, int to) throws IOException {
        while (to > from && isWhitespace(b[to - 1])) {
            to--;
        }
        if (to - from > MAX_STRING_LENGTH) {
            // skipping a string does not check Jackson's string length limit; only a value this long
            // can break it, so such a value is read as a tree once and refused as it always was
            JsonCodec.MAPPER.readTree(b, from, to - from);
        }
        return new RawJson(withoutWhitespace(b, from, to));
    }

    /**
     * A value this node or a peer validated before, such as the data of a history entry in Redis;
     * copies {@code b[from, to)} as is.
     */
    public static RawJson ofValidated(byte[] b, int from, int to) {
        return new RawJson(Arrays.copyOfRange(b, from, to));
    }

    /** Writes the value as the next value of {@code g}, byte for byte. */
    public void write(JsonGenerator g) throws IOException {
        g.writeRawValue(new Utf8Text(utf8));
    }

    /** Writes the bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(utf8);
    }

    /** Length of the text in bytes. */
    public int length() {
        return utf8.length;
    }

    /**
     * Copies {@code b[from, to)}, a valid JSON value, without the whitespace outside strings. Compact
     * text (no byte at or below a space, the usual case) is copied at once; otherwise strings are
     * stepped over and what lies between whitespace is copied in runs.
     */
    private static byte[] withoutWhitespace(byte[] b, int from, int to) {
        int i = from;
        while (i < to && b[i] > ' ') {
            i++; // bytes above 0x7f are negative: they end this scan too, and are left to the loop below
        }
        if (i == to) {
            return Arrays.copyOfRange(b, from, to);
        }
        byte[] out = null;
        int n = 0;
        int run = from;
        i = from;
        while (i < to) {
            byte c = b[i];
            if (c == '"') {
                i = afterString(b, i + 1);
            } else if (isWhitespace(c)) {
                if (out == null) {
                    out = new byte[to - from];
                }
                System.arraycopy(b, run, out, n, i - run);
                n += i - run;
                run = ++i;
            } else {
                i++;
            }
        }
        if (out == null) {
            return Arrays.copyOfRange(b, from, to);
        }
        System.arraycopy(b, run, out, n, to - run);
        return Arrays.copyOf(out, n + to - run);
    }

    /**
     * The index after the quote that closes the string whose content starts at {@code i}: the first
     * quote after an even number of backslashes (multi-byte UTF-8 never contains either byte).
     */
    private static int afterString(byte[] b, int i) {
        while (true) {
            while (b[i] != '"') {
                i++;
            }
            int backslashes = 0;
            for (int k = i - 1; b[k] == '\\'; k--) {
                backslashes++;
            }
            i++;
            if ((backslashes & 1) == 0) {
                return i;
            }
        }
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson r && Arrays.equals(r.utf8, utf8);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8);
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /**
     * Hands the bytes to Jackson's byte generator as they are ({@code writeRawValue} of a String would
     * decode and re-encode them). Only the unquoted forms are ever asked for a raw value; the quoted
     * ones, for completeness, quote the text as a JSON string.
     */
    private record Utf8Text(byte[] utf8) implements SerializableString {
        @Override
        public String getValue() {
            return new String(utf8, StandardCharsets.UTF_8);
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return utf8;
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + utf8.length > buffer.length) {
                return -1;
            }
            System.arraycopy(utf8, 0, buffer, offset, utf8.length);
            return utf8.length;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(utf8);
            return utf8.length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (buffer.remaining() < utf8.length) {
                return -1;
            }
            buffer.put(utf8);
            return utf8.length;
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            return quoted().appendUnquoted(buffer, offset);
        }

        @Override
        public char[] asQuotedChars() {
            return quoted().asQuotedChars();
        }

        @Override
        public byte[] asQuotedUTF8() {
            return quoted().asQuotedUTF8();
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            return quoted().appendQuotedUTF8(buffer, offset);
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            return quoted().appendQuoted(buffer, offset);
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) throws IOException {
            return quoted().writeQuotedUTF8(out);
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) throws IOException {
            return quoted().putQuotedUTF8(buffer);
        }

        private SerializedString quoted() {
            return new SerializedString(getValue());
        }
    }
}
