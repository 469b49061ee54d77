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
     * Validates {@code json} as one JSON value under the wire's limits and keeps its text; throws a
     * Jackson exception (an {@link IOException}) saying what is wrong.
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
            return slice(p, b, start, b.length);
        }
    }

    /**
     * The value in {@code b[from, to)}, which {@code p} has just read as one complete JSON value under
     * the wire's limits (whitespace after it allowed); checks the UTF-8 a parser lets through
     * (overlong forms, surrogates) and copies the bytes.
     */
    static RawJson slice(JsonParser p, byte[] b, int from, int to) throws IOException {
        while (to > from && isWhitespace(b[to - 1])) {
            to--;
        }
        if (!CommandParser.isStrictUtf8(b, from, to - from)) {
            throw new JsonParseException(p, "data is not valid UTF-8");
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

    /** Copies {@code b[from, to)} without the whitespace outside strings (inside strings it is never a token separator). */
    private static byte[] withoutWhitespace(byte[] b, int from, int to) {
        byte[] out = null;
        int n = 0;
        boolean inString = false;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (inString) {
                if (c == '\\') {
                    i++; // the escaped byte cannot end the string; multi-byte UTF-8 never contains '\\' or '"'
                    if (out != null) {
                        out[n++] = c;
                        out[n++] = b[i];
                    }
                    continue;
                }
                inString = c != '"';
            } else if (c == '"') {
                inString = true;
            } else if (isWhitespace(c)) {
                if (out == null) {
                    out = new byte[to - from];
                    System.arraycopy(b, from, out, 0, i - from);
                    n = i - from;
                }
                continue;
            }
            if (out != null) {
                out[n++] = c;
            }
        }
        return out == null ? Arrays.copyOfRange(b, from, to) : Arrays.copyOf(out, n);
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
