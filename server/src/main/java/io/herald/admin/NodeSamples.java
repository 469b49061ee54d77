package io.herald.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.engine.NodeLoad;
import io.herald.metrics.CloseReason;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.MetricsTotals;
import io.herald.metrics.RateLimit;
import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * This node's figures every {@link #INTERVAL_MILLIS} over the last 15 minutes, in a ring: gauges as
 * read, counters as the difference from the sample before, and the publish-to-write p99 of the
 * interval from the histogram's bucket differences (so it is accurate to a bucket, and /metrics is
 * unchanged). {@link #sample} runs on the admin thread; {@link #write} from any thread (one lock).
 */
final class NodeSamples {
    static final long INTERVAL_MILLIS = 2000;
    static final int SIZE = (int) (15 * 60 * 1000 / INTERVAL_MILLIS);

    /** One interval's figures; the counts are of the interval, p99 is -1 when nothing was delivered. */
    record Sample(long atMillis, long connections, long subscriptions, long channels, long publications,
                  long deliveries, double p99Millis, long errors, Map<CloseReason, Long> closes, long slowConsumers,
                  Map<RateLimit, Long> rateLimited) {
    }

    private final HeraldMetrics metrics;
    private final Supplier<NodeLoad> load;
    private final Sample[] ring = new Sample[SIZE];
    /** Guarded by {@code this}. */
    private long written;
    /** Owned by the admin thread. */
    private MetricsTotals previous;

    NodeSamples(HeraldMetrics metrics, Supplier<NodeLoad> load) {
        this.metrics = metrics;
        this.load = load;
        this.previous = metrics.totals();
    }

    /** Takes one sample; called every {@link #INTERVAL_MILLIS}. */
    void sample() {
        MetricsTotals now = metrics.totals();
        MetricsTotals before = previous;
        previous = now;
        NodeLoad l = load.get();
        Map<CloseReason, Long> closes = new EnumMap<>(CloseReason.class);
        now.closed().forEach((r, n) -> {
            long d = n - before.closed().getOrDefault(r, 0L);
            if (d > 0) {
                closes.put(r, d);
            }
        });
        Map<RateLimit, Long> limited = new EnumMap<>(RateLimit.class);
        now.rateLimited().forEach((r, n) -> {
            long d = n - before.rateLimited().getOrDefault(r, 0L);
            if (d > 0) {
                limited.put(r, d);
            }
        });
        Sample s = new Sample(System.currentTimeMillis(), l.connections(), l.subscriptions(), l.channels(),
                now.publications() - before.publications(), now.deliveries() - before.deliveries(),
                p99(before, now), now.errors() - before.errors(), closes, now.slowConsumers() - before.slowConsumers(),
                limited);
        synchronized (this) {
            ring[(int) (written++ % SIZE)] = s;
        }
    }

    /** The upper bound of the bucket holding the 99th percentile of the interval's latencies; -1 when none. */
    static double p99(MetricsTotals before, MetricsTotals now) {
        double[] a = before.latencyCounts();
        double[] b = now.latencyCounts();
        if (a.length != b.length || b.length == 0) {
            return -1;
        }
        // latencies past the last bound are in the total but in no bucket: they count as the last bound
        double all = now.latencyTotal() - before.latencyTotal();
        if (all <= 0) {
            return -1;
        }
        for (int i = 0; i < b.length; i++) {
            if (b[i] - a[i] >= 0.99 * all) {
                return now.latencyBounds()[i];
            }
        }
        return now.latencyBounds()[b.length - 1];
    }

    /** Writes the samples newer than {@code sinceMillis} as an array field {@code samples}, oldest first. */
    void write(JsonGenerator g, long sinceMillis) throws IOException {
        Sample[] copy;
        synchronized (this) {
            int n = (int) Math.min(written, SIZE);
            copy = new Sample[n];
            for (int i = 0; i < n; i++) {
                copy[i] = ring[(int) ((written - n + i) % SIZE)];
            }
        }
        g.writeArrayFieldStart("samples");
        for (Sample s : copy) {
            if (s.atMillis() > sinceMillis) {
                writeSample(g, s);
            }
        }
        g.writeEndArray();
    }

    private static void writeSample(JsonGenerator g, Sample s) throws IOException {
        g.writeStartObject();
        g.writeNumberField("t", s.atMillis());
        g.writeNumberField("connections", s.connections());
        g.writeNumberField("subscriptions", s.subscriptions());
        g.writeNumberField("channels", s.channels());
        g.writeNumberField("publications", s.publications());
        g.writeNumberField("deliveries", s.deliveries());
        if (s.p99Millis() >= 0) {
            g.writeNumberField("p99_ms", s.p99Millis());
        }
        g.writeNumberField("errors", s.errors());
        g.writeNumberField("slow_consumers", s.slowConsumers());
        g.writeObjectFieldStart("closes");
        for (Map.Entry<CloseReason, Long> e : s.closes().entrySet()) {
            g.writeNumberField(e.getKey().label(), e.getValue());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("rate_limited");
        for (Map.Entry<RateLimit, Long> e : s.rateLimited().entrySet()) {
            g.writeNumberField(e.getKey().label(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }
}
