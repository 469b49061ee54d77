package io.herald.pusher;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PusherDataTest {
    private static String herald(String pusherData) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PusherData.toHerald(pusherData).writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void compactJsonIsCarriedAsJsonAndComesBackByteForByte() throws IOException {
        for (String data : new String[] {"{\"a\":1,\"b\":[true,null]}", "[1,2]", "12345678901234567890.5", "1e400", "true",
                "null", "{\"nonce\":\"x\",\"ciphertext\":\"y\"}", "{\"e\":\"\\u00e9\"}"}) {
            assertThat(herald(data)).isEqualTo(data);
            assertThat(PusherData.toPusher(PusherData.toHerald(data))).isEqualTo(data);
        }
    }

    @Test
    void plainTextIsCarriedAsAJsonStringAndComesBackAsItWas() throws IOException {
        for (String data : new String[] {"hello", "", "{not json", "1 2", "{\"a\":1,\"a\":2}", "line\nbreak \"quoted\" é"}) {
            assertThat(PusherData.toPusher(PusherData.toHerald(data))).isEqualTo(data);
        }
        assertThat(herald("hello")).isEqualTo("\"hello\"");
    }

    @Test
    void jsonWithWhitespaceIsCompactedAndAJsonStringLiteralGivesItsValue() throws IOException {
        assertThat(herald("{\"a\": 1, \"b\": [1, 2]}")).isEqualTo("{\"a\":1,\"b\":[1,2]}");
        assertThat(herald("\"plain\"")).isEqualTo("\"plain\"");
        assertThat(PusherData.toPusher(PusherData.toHerald("\"plain\""))).isEqualTo("plain");
    }

    @Test
    void heraldDataReachesPusherAsItsJsonTextOrItsStringValue() throws IOException {
        assertThat(PusherData.toPusher(RawJson.parse("{\"x\":[1]}"))).isEqualTo("{\"x\":[1]}");
        assertThat(PusherData.toPusher(RawJson.parse("\"a\\\"b\""))).isEqualTo("a\"b");
        assertThat(PusherData.toPusher(RawJson.parse("42"))).isEqualTo("42");
    }
}
