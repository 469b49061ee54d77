package io.herald.metrics;

import io.herald.limits.BreachLog;
import io.herald.protocol.ErrorCode;
import io.herald.proxy.ProxyKind;
import io.herald.proxy.ProxyOutcome;
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
    /** By {@code "<app> <outcome>"}; apps are configured ones, so the map stays small. */
    private final Map<String, Counter> pusherApi = new ConcurrentHashMap<>();
    private final Map<HttpCloseCause, Counter> httpClosed = new EnumMap<>(HttpCloseCause.class);
    private final Timer publishToWrite;
    private final Map<WebhookOutcome, Counter> webhookEvents = new EnumMap<>(WebhookOutcome.class);
    private final Map<WebhookFailure, Counter> webhookFailures = new EnumMap<>(WebhookFailure.class);
    private final Timer webhookLatency;
    private final BreachLog breaches = new BreachLog(10_000);
    /** Registered by the first call of {@link #outbox()}, so nodes without an outbox show none of its meters. */
    private Outbox outbox;
    /** Registered by the first call of {@link #pusher()}, so nodes without Pusher apps show none of its meters. */
    private Pusher pusher;
    /** Filled by {@link #registerProxy} before the node serves, read-only after. */
    private final Map<ProxyKind, Timer> proxyDurations = new EnumMap<>(ProxyKind.class);
    private final Map<ProxyKind, Map<ProxyOutcome, Counter>> proxyCalls = new EnumMap<>(ProxyKind.class);
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
        for (WebhookOutcome o : WebhookOutcome.values()) {
            webhookEvents.put(o, Counter.builder("herald.webhook.events").tag("outcome", o.label())
                    .description("webhook events, by what became of them").register(registry));
        }
        for (WebhookFailure f : WebhookFailure.values()) {
            webhookFailures.put(f, Counter.builder("herald.webhook.failures").tag("cause", f.label())
                    .description("webhook delivery attempts that failed, by cause").register(registry));
        }
        webhookLatency = Timer.builder("herald.webhook.delivery")
                .description("time from a webhook event being queued to its delivery (the oldest event of each batch)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
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

    /**
     * Registers the meters of a configured proxy kind: the latency histogram of calls sent
     * ({@code herald_proxy_duration_seconds{kind}}) and the calls by outcome
     * ({@code herald_proxy_calls_total{kind,outcome}}). Call before the node serves.
     */
    public void registerProxy(ProxyKind kind) {
        proxyDurations.put(kind, Timer.builder("herald.proxy.duration").tag("kind", kind.key())
                .description("time from sending a proxy call to its answer (or failure), by kind")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
        Map<ProxyOutcome, Counter> byOutcome = new EnumMap<>(ProxyOutcome.class);
        for (ProxyOutcome outcome : ProxyOutcome.values()) {
            byOutcome.put(outcome, Counter.builder("herald.proxy.calls").tag("kind", kind.key())
                    .tag("outcome", outcome.label())
                    .description("proxy calls by kind and outcome (every outcome but result is a refusal or failure)")
                    .register(registry));
        }
        proxyCalls.put(kind, byOutcome);
    }

    /**
     * A proxy call of {@code kind} ended with {@code outcome} after {@code nanos}; a call not sent
     * ({@link ProxyOutcome#OVERLOADED}) is not timed, and counts as a refusal by the limit
     * {@code proxy_<kind>} too.
     */
    public void proxyCall(ProxyKind kind, ProxyOutcome outcome, long nanos) {
        Map<ProxyOutcome, Counter> byOutcome = proxyCalls.get(kind);
        if (byOutcome == null) {
            return;
        }
        byOutcome.get(outcome).increment();
        if (outcome == ProxyOutcome.OVERLOADED) {
            rateLimited(kind.limit());
        } else {
            proxyDurations.get(kind).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** {@code count} webhook events had {@code outcome}. */
    public void webhookEvents(WebhookOutcome outcome, long count) {
        if (count > 0) {
            webhookEvents.get(outcome).increment(count);
        }
    }

    /** A webhook delivery attempt failed for {@code cause}. */
    public void webhookFailed(WebhookFailure cause) {
        webhookFailures.get(cause).increment();
    }

    /** A batch whose oldest event was queued at {@code queuedMillis} (epoch ms) was delivered. */
    public void webhookDelivered(long queuedMillis) {
        webhookLatency.record(Math.max(0, System.currentTimeMillis() - queuedMillis), TimeUnit.MILLISECONDS);
    }

    /** Events queued for one hook (cluster-wide with Redis), read at scrape time. */
    public void webhookQueueGauge(String hookId, Supplier<Number> value) {
        Gauge.builder("herald.webhook.queue.depth", value).tag("hook", hookId)
                .description("webhook events queued, by hook id (cluster-wide with the Redis engine)").register(registry);
    }

    /**
     * A Pusher HTTP API request of app {@code appId} (a configured app's id, or {@code unknown}: ids
     * from a request never become labels) ended with {@code outcome} ({@code ok} or an error's label).
     */
    public void pusherApiRequest(String appId, String outcome) {
        pusherApi.computeIfAbsent(appId + " " + outcome, k -> Counter.builder("herald.pusher.api.requests")
                .tag("app", appId).tag("outcome", outcome)
                .description("Pusher HTTP API requests, by app and outcome").register(registry)).increment();
    }

    /** The node closed a plain HTTP connection for {@code cause}. */
    public void httpClosed(HttpCloseCause cause) {
        httpClosed.get(cause).increment();
    }

    /** The outbox reader's meters, registered on first use. */
    public synchronized Outbox outbox() {
        if (outbox == null) {
            outbox = new Outbox();
        }
        return outbox;
    }

    /** The PostgreSQL outbox reader's figures. Thread-safe. */
    public final class Outbox {
        private final Counter published;
        private final Map<ErrorCode, Counter> dead = new EnumMap<>(ErrorCode.class);
        private volatile double lagSeconds;
        private volatile boolean lockHeld;

        private Outbox() {
            published = Counter.builder("herald.outbox.published")
                    .description("outbox rows the engine accepted, then deleted from the table").register(registry);
            for (ErrorCode code : ErrorCode.values()) {
                dead.put(code, Counter.builder("herald.outbox.dead").tag("code", code.wire())
                        .description("outbox rows moved to the dead table, by error code").register(registry));
            }
            Gauge.builder("herald.outbox.lag.seconds", this, o -> o.lagSeconds)
                    .description("age of the oldest outbox row at the reader's last look (0 when empty or on a node"
                            + " without the lock)").register(registry);
            Gauge.builder("herald.outbox.lock.held", this, o -> o.lockHeld ? 1 : 0)
                    .description("1 while this node holds the outbox lock (and so is the one reader), else 0")
                    .register(registry);
        }

        public void published(int rows) {
            published.increment(rows);
        }

        public void dead(ErrorCode code) {
            dead.get(code).increment();
        }

        public void lag(double seconds) {
            lagSeconds = seconds;
        }

        public void lockHeld(boolean held) {
            lockHeld = held;
        }
    }

    /** The Pusher protocol adapter's meters, registered on first use. */
    public synchronized Pusher pusher() {
        if (pusher == null) {
            pusher = new Pusher();
        }
        return pusher;
    }

    /** The figures of the Pusher Channels apps, each labelled by app id. Thread-safe. */
    public final class Pusher {
        private final Map<String, Counter> clientEvents = new ConcurrentHashMap<>();
        private final Map<String, Counter> subscriptions = new ConcurrentHashMap<>();
        private final Map<String, Counter> errors = new ConcurrentHashMap<>();
        private final Map<String, Counter> subscriptionErrors = new ConcurrentHashMap<>();

        private Pusher() {
        }

        /** Open {@code /app/{key}} connections of app {@code app} on this node, read at scrape time. */
        public void connectionsGauge(String app, Supplier<Number> value) {
            Gauge.builder("herald.pusher.connections", value).tag("app", app)
                    .description("open Pusher protocol connections on this node, by app").register(registry);
        }

        /** A client event of app {@code app} was published. */
        public void clientEvent(String app) {
            clientEvents.computeIfAbsent(app, a -> Counter.builder("herald.pusher.client.events").tag("app", a)
                    .description("Pusher client events published, by app").register(registry)).increment();
        }

        /** A subscription of app {@code app} succeeded. */
        public void subscribed(String app) {
            subscriptions.computeIfAbsent(app, a -> Counter.builder("herald.pusher.subscriptions").tag("app", a)
                    .description("Pusher subscriptions that succeeded, by app").register(registry)).increment();
        }

        /** A {@code pusher:error} with {@code code} (or a close with it) was sent to a connection of {@code app}. */
        public void error(String app, io.herald.pusher.PusherErrorCode code) {
            errors.computeIfAbsent(app + " " + code.label(), k -> Counter.builder("herald.pusher.errors").tag("app", app)
                    .tag("code", code.label()).description("Pusher errors and closes sent, by app and code")
                    .register(registry)).increment();
        }

        /** A subscription of {@code app} was refused for {@code why}. */
        public void subscriptionError(String app, io.herald.pusher.PusherSubscriptionError why) {
            subscriptionErrors.computeIfAbsent(app + " " + why.label(), k -> Counter.builder(
                            "herald.pusher.subscription.errors").tag("app", app).tag("type", why.label())
                    .description("Pusher subscriptions refused, by app and cause").register(registry)).increment();
        }
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
