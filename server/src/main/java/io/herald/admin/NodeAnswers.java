package io.herald.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.Engine;
import io.herald.engine.NodeLoad;
import io.herald.hub.Hub;
import io.herald.hub.Subscriber;
import io.herald.hub.SubscriberView;
import io.herald.limits.BreachLog;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.RecentCloses;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This node's answers to the admin UI's cluster questions ({@link ClusterNotes}): {@code status}
 * (figures and the samples since {@code since}), {@code problems} (recent closes and limit
 * breaches), {@code channels} (local channels matching {@code pattern}, at most
 * {@value AdminApi#MAX_CHANNELS}) and {@code lookup} (this node's connections of a {@code user} or
 * {@code client}, at most {@value AdminApi#MAX_LOOKUP}). Thread-safe.
 */
final class NodeAnswers implements ClusterNotes.Responder {
    /** How long a lookup waits for the connections' own threads to describe them. */
    static final long LOOKUP_MILLIS = 1000;
    /** The features whose meters ({@code herald.<feature>.*}) the overview's health panel shows. */
    static final List<String> INTEGRATIONS = List.of("webhook", "proxy", "outbox");

    private final Engine engine;
    private final Hub hub;
    private final HeraldMetrics metrics;
    private final NodeSamples samples;
    private final Supplier<NodeLoad> load;
    private final String version;

    NodeAnswers(Engine engine, Hub hub, HeraldMetrics metrics, NodeSamples samples, Supplier<NodeLoad> load,
                String version) {
        this.engine = engine;
        this.hub = hub;
        this.metrics = metrics;
        this.samples = samples;
        this.load = load;
        this.version = version;
    }

    @Override
    public CompletableFuture<byte[]> answer(Question kind, JsonNode q) {
        try {
            return switch (kind) {
                case STATUS -> done(JsonCodec.object(g -> status(g, q.path("since").asLong(0))));
                case PROBLEMS -> done(JsonCodec.object(this::problems));
                case CHANNELS -> done(JsonCodec.object(g -> channels(g, q.path("pattern").asText(""))));
                case LOOKUP -> lookup(q.hasNonNull("user") ? q.get("user").asText() : null,
                        q.hasNonNull("client") ? q.get("client").asText() : null);
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void status(JsonGenerator g, long since) throws IOException {
        NodeLoad l = load.get();
        g.writeStringField("version", version);
        g.writeStringField("engine", engine.name());
        g.writeBooleanField("engine_reachable", engine.reachable());
        g.writeBooleanField("draining", hub.publishGate().isClosed());
        g.writeStringField("started", Frames.timestamp(l.startedMillis()));
        g.writeNumberField("uptime_s", (System.currentTimeMillis() - l.startedMillis()) / 1000);
        g.writeNumberField("connections", l.connections());
        g.writeNumberField("users", hub.userCount());
        g.writeNumberField("subscriptions", l.subscriptions());
        g.writeNumberField("channels", l.channels());
        g.writeNumberField("sample_ms", NodeSamples.INTERVAL_MILLIS);
        samples.write(g, since);
        // webhook, proxy and outbox health: whatever meters those features registered on this node
        g.writeObjectFieldStart("integrations");
        for (String feature : INTEGRATIONS) {
            Map<String, Double> readings = metrics.readings("herald." + feature + ".");
            if (!readings.isEmpty()) {
                g.writeObjectFieldStart(feature);
                for (Map.Entry<String, Double> e : readings.entrySet()) {
                    g.writeNumberField(e.getKey(), Double.isFinite(e.getValue()) ? e.getValue() : 0);
                }
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private void problems(JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("closes");
        for (RecentCloses.Close c : metrics.recentCloses().list()) {
            g.writeStartObject();
            g.writeNumberField("t", c.atMillis());
            g.writeStringField("reason", c.reason().label());
            g.writeStringField("client", c.client());
            g.writeStringField("user", c.user());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("breaches");
        for (BreachLog.Summary b : metrics.breaches().summary()) {
            g.writeStartObject();
            g.writeStringField("kind", b.kind());
            g.writeNumberField("count", b.count());
            g.writeNumberField("last", b.lastMillis());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private void channels(JsonGenerator g, String pattern) throws IOException {
        ChannelPattern p;
        try {
            p = pattern.isEmpty() ? null : ChannelPattern.of(pattern);
        } catch (IllegalArgumentException e) {
            g.writeStringField("error", "invalid pattern: " + e.getMessage());
            return;
        }
        Map<ChannelName, Integer> found = hub.channels(p);
        g.writeArrayFieldStart("channels");
        int n = 0;
        for (Map.Entry<ChannelName, Integer> e : found.entrySet()) {
            if (n++ == AdminApi.MAX_CHANNELS) {
                break;
            }
            g.writeStartObject();
            g.writeStringField("channel", e.getKey().value());
            g.writeNumberField("subscribers", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("truncated", found.size() > AdminApi.MAX_CHANNELS);
    }

    private CompletableFuture<byte[]> lookup(String user, String client) {
        List<Subscriber> found = user != null ? hub.find(user, null) : client != null ? hub.find(null, client) : List.of();
        List<CompletableFuture<SubscriberView>> views = new ArrayList<>();
        for (Subscriber s : found.subList(0, Math.min(found.size(), AdminApi.MAX_LOOKUP))) {
            views.add(s.describe().completeOnTimeout(null, LOOKUP_MILLIS, TimeUnit.MILLISECONDS));
        }
        return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(v -> JsonCodec.object(g -> {
            g.writeArrayFieldStart("connections");
            for (CompletableFuture<SubscriberView> f : views) {
                SubscriberView view = f.join();
                if (view != null) {
                    writeView(g, view);
                }
            }
            g.writeEndArray();
            g.writeBooleanField("truncated", found.size() > AdminApi.MAX_LOOKUP);
        }));
    }

    private static void writeView(JsonGenerator g, SubscriberView v) throws IOException {
        g.writeStartObject();
        g.writeStringField("client", v.client());
        g.writeStringField("user", v.user());
        g.writeStringField("transport", v.transport());
        g.writeStringField("remote", v.remoteAddress());
        g.writeStringField("connected", Frames.timestamp(v.connectedMillis()));
        g.writeArrayFieldStart("channels");
        for (String ch : v.channels()) {
            g.writeString(ch);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static CompletableFuture<byte[]> done(byte[] b) {
        return CompletableFuture.completedFuture(b);
    }
}
