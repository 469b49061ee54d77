package io.herald.pusher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one mapping between a Pusher event's {@code data}, always a string, and a Herald publication's
 * {@code data}, any JSON value, used both ways by the HTTP API, the WebSocket adapter and webhooks.
 * Stateless and thread-safe.
 *
 * <p>Pusher to Herald: a string that parses as one JSON value (what every Pusher server SDK makes of
 * a structured value) becomes that JSON, so {@code /ws} clients see the structure; any other string
 * (plain text) becomes a JSON string holding it. Herald to Pusher: a JSON string gives its value, any
 * other value its JSON text. So plain text and compact JSON (Node's and PHP's SDKs, Gson) reach Pusher
 * clients byte for byte as triggered; JSON with whitespace between tokens (Python's {@code json.dumps})
 * reaches them compacted (Herald keeps JSON without that whitespace), and a JSON string literal
 * ({@code "\"hi\""}, Gson's encoding of a string) as its value ({@code hi}): pusher-js, which parses
 * {@code data} as JSON where it can, gives the application the same value either way.
 */
public final class PusherData {
    private PusherData() {
    }

    /** The Herald data of a Pusher event's {@code data}. */
    public static RawJson toHerald(String data) {
        try {
            return RawJson.parse(data);
        } catch (IOException e) {
            return string(data);
        }
    }

    /** The Pusher {@code data} string of Herald data. */
    public static String toPusher(RawJson data) {
        byte[] b = bytes(data);
        if (b.length == 0 || b[0] != '"') {
            return new String(b, StandardCharsets.UTF_8);
        }
        try (JsonParser p = JsonCodec.MAPPER.createParser(b)) {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new IllegalStateException("data starting with a quote is not a JSON string");
            }
            return p.getText();
        } catch (IOException e) {
            throw new UncheckedIOException("data validated where it entered is not readable", e);
        }
    }

    private static RawJson string(String text) {
        try {
            return RawJson.parse(JsonCodec.MAPPER.writeValueAsString(text));
        } catch (IOException e) {
            throw new UncheckedIOException("a JSON string written by Jackson is valid JSON", e);
        }
    }

    private static byte[] bytes(RawJson json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length());
        try {
            json.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
