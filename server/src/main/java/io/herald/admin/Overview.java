package io.herald.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.Engine;
import io.herald.engine.NodeLoad;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Merges the nodes' answers into the admin API's overview and channel list. */
final class Overview {
    private Overview() {
    }

    /**
     * Every live node of the registry, with its status answer where it gave one ({@code answered}:
     * false for a node whose admin UI is off or that did not answer in time, with the registry's figures).
     */
    static CompletableFuture<byte[]> of(CompletableFuture<Map<String, JsonNode>> answers, Engine engine, String self) {
        CompletableFuture<List<NodeLoad>> live = engine.nodes().nodes().exceptionally(e -> List.of());
        return answers.thenCombine(live, (a, nodes) -> JsonCodec.object(g -> {
            g.writeStringField("node", self);
            g.writeStringField("engine", engine.name());
            g.writeNumberField("sample_ms", NodeSamples.INTERVAL_MILLIS);
            g.writeNumberField("window_ms", NodeSamples.INTERVAL_MILLIS * NodeSamples.SIZE);
            g.writeNumberField("now", System.currentTimeMillis());
            g.writeArrayFieldStart("nodes");
            Map<String, NodeLoad> byId = new TreeMap<>();
            nodes.forEach(n -> byId.put(n.id(), n));
            a.keySet().forEach(id -> byId.putIfAbsent(id, null));
            for (Map.Entry<String, NodeLoad> e : byId.entrySet()) {
                JsonNode answer = a.get(e.getKey());
                g.writeStartObject();
                g.writeStringField("node", e.getKey());
                g.writeBooleanField("self", e.getKey().equals(self));
                if (answer != null && !answer.has("error")) {
                    g.writeBooleanField("answered", true);
                    for (Map.Entry<String, JsonNode> f : answer.properties()) {
                        g.writeFieldName(f.getKey());
                        g.writeTree(f.getValue());
                    }
                } else {
                    NodeLoad n = e.getValue();
                    g.writeBooleanField("answered", false);
                    if (n != null) {
                        g.writeNumberField("connections", n.connections());
                        g.writeNumberField("subscriptions", n.subscriptions());
                        g.writeNumberField("channels", n.channels());
                        if (n.startedMillis() > 0) {
                            g.writeStringField("started", Frames.timestamp(n.startedMillis()));
                        }
                    }
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    /** Channels across nodes: total subscribers and per node, sorted by total, most first. */
    static byte[] channels(Map<String, JsonNode> answers) {
        Map<String, Map<String, Long>> perChannel = new TreeMap<>();
        StringBuilder error = new StringBuilder();
        boolean[] truncated = {false};
        answers.forEach((node, a) -> {
            if (a.has("error") && error.isEmpty()) {
                error.append(a.get("error").asText());
            }
            truncated[0] |= a.path("truncated").asBoolean(false);
            for (JsonNode c : a.path("channels")) {
                perChannel.computeIfAbsent(c.path("channel").asText(), k -> new TreeMap<>())
                        .put(node, c.path("subscribers").asLong());
            }
        });
        List<Map.Entry<String, Map<String, Long>>> sorted = perChannel.entrySet().stream()
                .sorted((x, y) -> Long.compare(total(y.getValue()), total(x.getValue()))).toList();
        return JsonCodec.object(g -> {
            if (!error.isEmpty()) {
                g.writeStringField("error", error.toString());
            }
            g.writeBooleanField("truncated", truncated[0]);
            g.writeArrayFieldStart("channels");
            for (Map.Entry<String, Map<String, Long>> e : sorted) {
                g.writeStartObject();
                g.writeStringField("channel", e.getKey());
                g.writeNumberField("subscribers", total(e.getValue()));
                g.writeObjectFieldStart("nodes");
                for (Map.Entry<String, Long> n : e.getValue().entrySet()) {
                    g.writeNumberField(n.getKey(), n.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }
}
