package io.herald.webhook;

import io.herald.config.HeraldConfig;
import io.herald.config.NamespaceConfig;
import io.herald.config.WebhookConfig;
import io.herald.engine.Engine;
import io.herald.engine.HookStore;
import io.herald.hub.ChannelObserver;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.WebhookOutcome;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's part in webhooks and presence across nodes: tells the engine's {@link HookStore} when
 * channels become occupied or vacant here, sends the leave pushes of dead nodes' presence entries the
 * store hands this node, and runs one {@link WebhookSender} per configured hook. Its threads (a timer
 * and the HTTP client's two) are its own: no event loop ever waits on a hook. Thread-safe.
 */
public final class Webhooks implements ChannelObserver, HookStore.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

    private final HeraldConfig config;
    private final Engine engine;
    private final HeraldMetrics metrics;
    private final ScheduledExecutorService timer;
    private final ExecutorService httpThreads;
    private final HttpClient http;
    private final List<WebhookSender> senders = new ArrayList<>();
    private final java.util.Map<String, WebhookSender> byId = new java.util.HashMap<>();
    /** A full queue refuses every new event: warn once per 10 s, not per event. */
    private final io.herald.limits.BreachLog queueFull = new io.herald.limits.BreachLog(10_000);
    /** Pusher presence channels push leaves whatever their namespace says. */
    private final io.herald.pusher.PusherApps pusherApps;

    public Webhooks(HeraldConfig config, Engine engine, HeraldMetrics metrics, io.herald.pusher.PusherApps pusherApps) {
        this.config = config;
        this.engine = engine;
        this.metrics = metrics;
        this.pusherApps = pusherApps;
        if (config.webhooks().isEmpty()) {
            // no threads and no HTTP client (its selector holds file descriptors) where nothing is sent
            this.timer = null;
            this.httpThreads = null;
            this.http = null;
            return;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(threads("herald-webhooks"));
        this.httpThreads = Executors.newFixedThreadPool(2, threads("herald-webhook-http"));
        long connectMillis = config.webhooks().stream().mapToLong(h -> h.timeout().toMillis()).min().orElse(10_000);
        this.http = HttpClient.newBuilder()
                .executor(httpThreads)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(java.time.Duration.ofMillis(connectMillis))
                .build();
        for (WebhookConfig h : config.webhooks()) {
            WebhookSender sender = new WebhookSender(h, engine.hooks(), http, timer, metrics);
            senders.add(sender);
            byId.put(h.id(), sender);
        }
    }

    private static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts the store's announcements and the senders; call once the node's id is known. */
    public void start(String nodeId) {
        List<HookStore.Hook> hooks = config.webhooks().stream().map(h -> new HookStore.Hook(h.id(), h.mask(),
                h.vacateDelay().toMillis(), h.maxAge().toMillis(), h.maxQueue())).toList();
        engine.hooks().start(nodeId, hooks, this);
        senders.forEach(WebhookSender::start);
        for (WebhookConfig h : config.webhooks()) {
            log.info("webhook {} receives {}", h.redactedUrl(), h.events());
        }
    }

    @Override
    public void occupied(ChannelName channel) {
        engine.hooks().occupy(channel).exceptionally(e -> failed("occupancy of " + channel, e));
    }

    @Override
    public void vacated(ChannelName channel) {
        engine.hooks().vacate(channel).exceptionally(e -> failed("vacancy of " + channel, e));
    }

    private Void failed(String what, Throwable e) {
        log.warn("webhook state: {} not recorded: {}", what, e.toString());
        return null;
    }

    @Override
    public void presenceExpired(ChannelName channel, ClientInfo client) {
        engine.presence().remove(channel, client.client());
        NamespaceConfig ns = config.namespace(channel.namespace());
        if (ns.joinLeave() || pusherApps.isPresenceChannel(channel)) {
            engine.broker().publishPresenceChange(channel, client, false);
        }
    }

    @Override
    public void queued(String hookId, int queued, int refused) {
        metrics.webhookEvents(WebhookOutcome.QUEUED, queued);
        WebhookSender sender = byId.get(hookId);
        if (queued > 0 && sender != null) {
            // deliver what this node just queued now rather than at the next poll
            sender.soon();
        }
        if (refused > 0) {
            metrics.webhookEvents(WebhookOutcome.QUEUE_FULL, refused);
            queueFull.breach("webhook " + hookId + " queue full (webhooks[].max_queue): new events are dropped");
        }
    }

    /** Stops sending; what is unsent stays queued (with Redis, for the other nodes). */
    @Override
    public void close() {
        senders.forEach(WebhookSender::close);
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        http.shutdownNow();
        httpThreads.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
