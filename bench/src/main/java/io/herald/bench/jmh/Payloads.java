package io.herald.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.protocol.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The benchmark payload of bench/PEER-CONTRACT.md, {@code {"t","seq","pad"}}, at a given JSON size. */
final class Payloads {
    private Payloads() {
    }

    /** A payload whose compact JSON is exactly {@code bytes} long (at least the size with an empty pad). */
    static ObjectNode data(int bytes) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("t", 1_234_567_890_123L);
        node.put("seq", 42);
        node.put("pad", "");
        int overhead = node.toString().length();
        node.put("pad", "x".repeat(Math.max(0, bytes - overhead)));
        return node;
    }

    static String json(JsonNode node) {
        return node.toString();
    }

    /** {@link #data} as publication data, the publisher's text that frames embed as is. */
    static RawJson raw(int bytes) {
        try {
            return RawJson.parse(json(data(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
