package io.herald.metrics;

import io.herald.limits.BreachLog;
import io.herald.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every figure a node reports on {@code GET /metrics}, in Prometheus text format. Counters are
 * lock-free and cheap enough for the per-delivery path. Thread-safe.
 */
public final class HeraldMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter opened;
    private final Map<CloseReason, Counter> closedByReason = new EnumMap<>(CloseReason.class);
    private final Counter publications;
    private final Counter deliveries;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter slowConsumers;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Map<RateLimit, Counter> rateLimited = new ConcurrentHashMap<>();
    private final Map<HttpCloseCause, Counter> httpClosed = new EnumMap<>(HttpCloseCause.class);
    private final Timer publishToWrite;
    private final BreachLog breaches = new BreachLog(10_000);
    private final RecentCloses recentCloses = new RecentCloses();

    public HeraldMetrics() {
        for (HttpCloseCause cause : HttpCloseCause.values()) {
            httpClosed.put(cause, Counter.builder("herald.http.closed").tag("cause", cause.label())
                    .description("plain HTTP connections the node closed, by cause").register(registry));
        }
        for (CloseReason reason : CloseReason.values()) {
            closedByReason.put(reason, Counter.builder("herald.connections.closed").tag("reason", reason.label())
                    .description("client connections closed (WebSocket and SSE), by reason").register(registry));
        }
        opened = Counter.builder("herald.connections.opened").description("client connections opened (WebSocket and SSE)").register(registry);
        publications = Counter.builder("herald.publications").description("publications accepted").register(registry);
        deliveries = Counter.builder("herald.deliveries").description("publications written to subscribers").register(registry);
        // no baseUnit: the Prometheus names stay herald_bytes_in_total / herald_bytes_out_total
        bytesIn = Counter.builder("herald.bytes.in").description("WebSocket payload bytes received").register(registry);
        bytesOut = Counter.builder("herald.bytes.out").description("WebSocket payload bytes sent").register(registry);
        slowConsumers = Counter.builder("herald.slow.consumer.closes").description("connections closed as slow consumers").register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, Counter.builder("herald.errors").tag("code", code.wire())
                    .description("error replies sent, by code").register(registry));
        }
        publishToWrite = Timer.builder("herald.publish.to.write")
                .description("time from a publication being accepted to its write to a subscriber")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // the allocator channels actually use (Netty 4.2 defaults to the adaptive one, not the pooled one)
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider alloc) {
            gauge("herald.netty.pool.direct.bytes", "direct memory held by Netty's buffer allocator", alloc,
                    a -> a.metric().usedDirectMemory());
            gauge("herald.netty.pool.heap.bytes", "heap memory held by Netty's buffer allocator", alloc,
                    a -> a.metric().usedHeapMemory());
        }
        gauge("herald.netty.direct.bytes", "direct memory Netty has reserved", PlatformDependent::usedDirectMemory);
    }

    /** Registers a gauge read at scrape time. */
    public <T> void gauge(String name, String description, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).register(registry);
    }

    /** Registers a gauge read at scrape time from a supplier. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** Open connections of one transport ({@code ws}, {@code sse}), read at scrape time. */
    public void transportGauge(String transport, Supplier<Number> value) {
        Gauge.builder("herald.connections.transport", value).tag("transport", transport)
                .description("open client connections, by transport").register(registry);
    }

    public void connectionOpened() {
        opened.increment();
    }

    /** A client connection ended, for {@code reason}. */
    public void connectionClosed(CloseReason reason) {
        closedByReason.get(reason).increment();
    }

    /** As {@link #connectionClosed(CloseReason)}, remembering the connection among the recent closes. */
    public void connectionClosed(CloseReason reason, String client, String user) {
        connectionClosed(reason);
        if (reason != CloseReason.CLIENT) {
            recentCloses.add(new RecentCloses.Close(System.currentTimeMillis(), reason, client, user));
        }
    }

    public void publication() {
        publications.increment();
    }

    /**
     * A publication accepted at {@code acceptedMillis} (epoch ms) written to {@code count} subscribers
     * in one batch; the latency is recorded once per batch, as the batch's writes happen together.
     */
    public void deliveries(int count, long acceptedMillis) {
        deliveries.increment(count);
        publishToWrite.record(Math.max(0, System.currentTimeMillis() - acceptedMillis), TimeUnit.MILLISECONDS);
    }

    public void bytesIn(long n) {
        bytesIn.increment(n);
    }

    public void bytesOut(long n) {
        bytesOut.increment(n);
    }

    public void slowConsumer() {
        slowConsumers.increment();
        breaches.breach("slow consumer closed (client.max_queue_bytes / client.write_timeout)");
    }

    public void error(ErrorCode code) {
        errors.get(code).increment();
    }

    /**
     * A request refused by a rate or count limit. Also logged as a warning, at most once per 10 s
     * per limit.
     */
    public void rateLimited(RateLimit limit) {
        breaches.breach(limit.label());
        rateLimited.computeIfAbsent(limit, l -> Counter.builder("herald.rate.limited").tag("limit", l.label())
                .description("requests refused by a limit, by limit").register(registry)).increment();
    }

    /** The node closed a plain HTTP connection for {@code cause}. */
    public void httpClosed(HttpCloseCause cause) {
        httpClosed.get(cause).increment();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /** Every counter the admin UI charts, now. */
    public MetricsTotals totals() {
        Map<CloseReason, Long> closed = new EnumMap<>(CloseReason.class);
        closedByReason.forEach((r, c) -> closed.put(r, (long) c.count()));
        Map<RateLimit, Long> limited = new EnumMap<>(RateLimit.class);
        rateLimited.forEach((l, c) -> limited.put(l, (long) c.count()));
        long errorCount = 0;
        for (Counter c : errors.values()) {
            errorCount += (long) c.count();
        }
        var snapshot = publishToWrite.takeSnapshot();
        var buckets = snapshot.histogramCounts();
        double[] bounds = new double[buckets.length];
        double[] counts = new double[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
            counts[i] = buckets[i].count();
        }
        return new MetricsTotals((long) opened.count(), closed, (long) publications.count(), (long) deliveries.count(),
                errorCount, (long) slowConsumers.count(), limited, bounds, counts, snapshot.count());
    }

    /**
     * The current readings of every meter whose name starts with {@code prefix} (say
     * {@code "herald.outbox."}), as {@code name{tag=value,...} statistic} to value, sorted; empty when
     * none is registered. For the admin UI's panels of features that register their own meters.
     */
    public Map<String, Double> readings(String prefix) {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
            io.micrometer.core.instrument.Meter.Id id = m.getId();
            if (!id.getName().startsWith(prefix)) {
                continue;
            }
            StringBuilder key = new StringBuilder(id.getName());
            if (!id.getTags().isEmpty()) {
                key.append('{');
                id.getTags().forEach(t -> key.append(t.getKey()).append('=').append(t.getValue()).append(','));
                key.setCharAt(key.length() - 1, '}');
            }
            for (io.micrometer.core.instrument.Measurement v : m.measure()) {
                out.put(key + " " + v.getStatistic().getTagValueRepresentation(), v.getValue());
            }
        }
        return out;
    }

    /** The last connection closes the server decided, and the limit breaches, for the admin UI. */
    public RecentCloses recentCloses() {
        return recentCloses;
    }

    public BreachLog breaches() {
        return breaches;
    }
}
