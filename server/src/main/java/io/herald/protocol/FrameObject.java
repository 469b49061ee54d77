package io.herald.protocol;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * A JSON object from a client frame or an API body, read in one pass: every member as a tree in
 * {@code fields} except {@code data}, which is kept as the sender's text ({@link RawJson}) and never
 * becomes a tree. The whole text is checked as a tree read checks it, strict UTF-8 first: syntax,
 * duplicate keys (inside {@code data} too), {@link JsonCodec#MAX_NESTING} counted from the top of the
 * object, and nothing after the object. Immutable.
 *
 * @param fields every member but {@code data}
 * @param data   the {@code data} member, or null when there is none
 */
public record FrameObject(ObjectNode fields, RawJson data) {
    /** Reads one member's value; the rest of the object follows it, so it must not count as trailing. */
    private static final ObjectReader MEMBER =
            JsonCodec.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Thrown when the text is not strict UTF-8: Jackson decodes overlong forms, surrogates and code
     * points above U+10FFFF leniently, and {@code data} must not carry them on to every subscriber.
     */
    public static final class NotUtf8Exception extends IOException {
        NotUtf8Exception() {
            super("not valid UTF-8");
        }
    }

    /**
     * Reads {@code b[offset, offset + length)}.
     *
     * @return the object, or null when the text is valid JSON but not an object (or empty)
     * @throws NotUtf8Exception when the text is not strict UTF-8 (checked first)
     * @throws com.fasterxml.jackson.core.JacksonException when it is not valid JSON or breaks a limit
     */
    public static FrameObject read(byte[] b, int offset, int length) throws IOException {
        if (!CommandParser.isStrictUtf8(b, offset, length)) {
            throw new NotUtf8Exception();
        }
        try (JsonParser p = JsonCodec.MAPPER.createParser(b, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                // read the whole text as before, so that invalid JSON is reported as invalid JSON
                JsonCodec.MAPPER.readTree(b, offset, length);
                return null;
            }
            ObjectNode fields = JsonCodec.MAPPER.createObjectNode();
            RawJson data = null;
            int dataStart = -1;
            while (true) {
                JsonToken t = p.nextToken();
                if (dataStart >= 0) {
                    // data ends where the token after it starts, less the comma and whitespace between
                    data = RawJson.slice(b, dataStart, end(b, dataStart, offset + tokenStart(p)));
                    dataStart = -1;
                }
                if (t != JsonToken.FIELD_NAME) {
                    break; // END_OBJECT: anything else makes nextToken throw
                }
                String name = p.currentName();
                p.nextToken();
                if (name.equals("data")) {
                    if (tokenStart(p) < 0) {
                        // Jackson detected UTF-16 or UTF-32 and reads characters, not bytes
                        throw new JsonParseException(p, "a frame or body with \"data\" must be UTF-8");
                    }
                    dataStart = offset + tokenStart(p);
                    p.skipChildren(); // validates the value token by token without building it
                } else if (!putScalar(fields, name, p)) {
                    fields.set(name, MEMBER.readTree(p));
                }
            }
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "unexpected content after the JSON object");
            }
            return new FrameObject(fields, data);
        }
    }

    /**
     * Sets a string, int, long, boolean or null member as the node a tree read makes of it, without
     * the tree reader's per-call context (every frame has a {@code type} and most an {@code id} and a
     * {@code channel}); false for anything else (objects, arrays, big or fractional numbers).
     */
    private static boolean putScalar(ObjectNode fields, String name, JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_STRING -> fields.put(name, p.getText());
            case VALUE_NUMBER_INT -> {
                switch (p.getNumberType()) {
                    case INT -> fields.put(name, p.getIntValue());
                    case LONG -> fields.put(name, p.getLongValue());
                    default -> {
                        return false;
                    }
                }
            }
            case VALUE_TRUE -> fields.put(name, true);
            case VALUE_FALSE -> fields.put(name, false);
            case VALUE_NULL -> fields.putNull(name);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The byte offset of the current token from the start of the input, or -1 when the input is not UTF-8. */
    private static int tokenStart(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** A JSON value never ends with a comma or whitespace, so trimming them from the next token's start finds its end. */
    private static int end(byte[] b, int start, int next) {
        int end = next;
        while (end > start && (b[end - 1] == ',' || b[end - 1] == ' ' || b[end - 1] == '\n' || b[end - 1] == '\r'
                || b[end - 1] == '\t')) {
            end--;
        }
        return end;
    }
}
