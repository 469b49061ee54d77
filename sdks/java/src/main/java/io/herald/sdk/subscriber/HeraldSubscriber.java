package io.herald.sdk.subscriber;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.sdk.Backoff;
import io.herald.sdk.HeraldErrorCode;
import io.herald.sdk.Json;
import io.herald.sdk.Publication;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A Herald WebSocket client for JVM services: subscribes to channels and delivers their
 * publications in order, without duplicates, across reconnects. States are the TypeScript
 * client's ({@link ClientState}); every change is reported to {@link #onState} with the close code
 * and reason behind it.
 *
 * <p>Reconnects: after a close whose {@code disconnect} push (or, without one, the protocol's table)
 * allows it, and after a dropped connection or a silent one (heartbeat), with full-jitter backoff
 * (500 ms doubling to 20 s by default); every subscription resubscribes with {@code since} = its last
 * delivered offset and epoch, and a {@code recovered:false} answer is reported as a {@link Gap}.
 * A 4010 with {@code reconnect:false} (the application ended the session) and 4001 stay
 * {@code DISCONNECTED} until {@link #connect()}; after 4003 the token supplier is asked once for a
 * new token (never the refused one again), else the client stays {@code DISCONNECTED}.
 *
 * <p>Tokens: a fixed token, or a supplier called before every connection attempt (so each connection
 * starts with a fresh token) and on {@code refresh_required}; it runs on its own virtual thread, never
 * on the event thread.
 *
 * <p>Threads: all state lives on one event thread per subscriber ({@code herald-subscriber-N});
 * every callback (client and subscription handlers) runs there, one at a time, in the order the
 * frames arrived. Public methods may be called from any thread. A slow handler delays the others;
 * at most {@code maxQueuedFrames} frames / {@code maxQueuedBytes} wait for it, then reading pauses
 * (the server may then close the connection as a slow consumer, and the client recovers from
 * history). A handler that throws is reported to {@link #onError} ({@link HeraldErrorCode#INTERNAL}).
 */
public final class HeraldSubscriber implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HeraldSubscriber.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final URI wsUri;
    private final TokenSource tokens;
    private final SubscriberSettings settings;
    private final ScheduledExecutorService loop;
    private final HttpClient http;
    private final Listeners<StateChange<ClientState>> states;
    private final Listeners<ConnectedInfo> connectedListeners;
    private final Listeners<HeraldSubscriberException> errors;

    /** Added to from any thread ({@link #subscribe}); everything else about them happens on the event thread. */
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile Thread loopThread;

    // ---- event thread only ----
    private final PendingReplies pending;
    private final Heartbeat heartbeat;
    private volatile ClientState state = ClientState.DISCONNECTED;
    /** The token of the current or last connection attempt; null before the first. */
    private String token;
    /** The live transport; reports from any other id are stale and ignored. Null between transports. */
    private WsTransport transport;
    private int transportSeq;
    private ScheduledFuture<?> reconnectTimer;
    private ScheduledFuture<?> connectTimer;
    /** The {@code disconnect} push before the close that ends the current transport; null when none came. */
    private JsonNode lastDisconnect;
    private int unauthorizedInRow;
    private int backoffAttempt;
    private volatile ConnectedInfo info;

    HeraldSubscriber(HeraldSubscriberBuilder b) {
        String url = Objects.requireNonNull(b.url, "url").replaceAll("/+$", "");
        if (url.startsWith("http")) {
            url = "ws" + url.substring(4);
        }
        if (!url.startsWith("ws://") && !url.startsWith("wss://")) {
            throw new IllegalArgumentException("url must start with ws://, wss://, http:// or https://, got " + b.url);
        }
        this.wsUri = URI.create(url.endsWith("/ws") ? url : url + "/ws");
        this.tokens = new TokenSource(b.token, b.tokenSupplier);
        this.settings = b.settings();
        int n = THREADS.incrementAndGet();
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-subscriber-" + n);
            t.setDaemon(true);
            loopThread = t;
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.connectTimeout()).build();
        this.states = new Listeners<>(this::handlerFailed);
        this.connectedListeners = new Listeners<>(this::handlerFailed);
        this.errors = new Listeners<>(e -> LOG.log(System.Logger.Level.WARNING, "an onError handler threw", e));
        this.pending = new PendingReplies(loop);
        this.heartbeat = new Heartbeat(loop, settings.pingInterval().toMillis(), settings.pongTimeout().toMillis(),
                () -> send(Json.MAPPER.createObjectNode().put("type", "ping")),
                () -> transportFailed(LocalCloseCode.HEARTBEAT_TIMEOUT, "no answer to ping in time", true));
    }

    public static HeraldSubscriberBuilder builder() {
        return new HeraldSubscriberBuilder();
    }

    /** Connection details from the last {@code connected}. */
    public record ConnectedInfo(String client, String user) {
    }

    public ClientState state() {
        return state;
    }

    /** Details of the last {@code connected}; null before it. */
    public ConnectedInfo connection() {
        return info;
    }

    /** Every state change, with the close code and reason behind it when there is one. */
    public Runnable onState(Consumer<StateChange<ClientState>> listener) {
        return states.add(listener);
    }

    /** Each transition into {@code CONNECTED}. */
    public Runnable onConnected(Consumer<ConnectedInfo> listener) {
        return connectedListeners.add(listener);
    }

    /** Errors not tied to one subscription: a refused token, a failed refresh, a handler that threw. */
    public Runnable onError(Consumer<HeraldSubscriberException> listener) {
        return errors.add(listener);
    }

    /** Starts connecting; does nothing unless {@code DISCONNECTED}. */
    public HeraldSubscriber connect() {
        if (state == ClientState.CLOSED) {
            throw new IllegalStateException("the subscriber is closed");
        }
        execute(() -> {
            if (state != ClientState.DISCONNECTED) {
                return;
            }
            setState(ClientState.CONNECTING, null, null);
            openTransport();
        });
        return this;
    }

    /** Drops the connection and stays {@code DISCONNECTED}; subscriptions resume on the next {@link #connect()}. */
    public void disconnect() {
        execute(() -> {
            if (state == ClientState.CLOSED || state == ClientState.DISCONNECTED) {
                return;
            }
            endTransport();
            setState(ClientState.DISCONNECTED, null, "disconnect called");
            subscriptionsInterrupted(null, "client disconnected");
        });
    }

    /** Skips the backoff wait, or connects when {@code DISCONNECTED}. */
    public void reconnectNow() {
        execute(() -> {
            if (state == ClientState.DISCONNECTED) {
                connect();
            } else if (state == ClientState.RECONNECTING && transport == null) {
                cancel(reconnectTimer);
                openTransport();
            }
        });
    }

    /** Disconnects for good and stops the event thread; waiting commands fail. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            Runnable closing = () -> {
                try {
                    if (state != ClientState.CLOSED) {
                        endTransport();
                        pending.rejectAll(new HeraldSubscriberException(HeraldErrorCode.CLIENT_CLOSED, "client closed", false, null));
                        for (Subscription sub : subscriptions.values()) {
                            sub.setState(SubscriptionState.UNSUBSCRIBED, null, null, "client closed");
                        }
                        setState(ClientState.CLOSED, null, "close called");
                    }
                } finally {
                    done.complete(null);
                }
            };
            if (Thread.currentThread() == loopThread) {
                closing.run(); // close() from a handler
            } else {
                loop.execute(closing);
                done.get(5, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return; // closed already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the subscriber took over 5 s", e);
        }
        loop.shutdown();
        http.close();
    }

    /**
     * The subscription of a channel, created and subscribed on first use. Handlers added right after
     * this call see every publication (none is delivered before it returns); to see its first state
     * change too, take {@link #channel} and call {@link Subscription#subscribe()} after adding them.
     */
    public Subscription subscribe(String channel) {
        return channel(channel).subscribe();
    }

    /** The subscription of a channel, created on first use but not subscribed: add handlers, then subscribe. */
    public Subscription channel(String channel) {
        Objects.requireNonNull(channel, "channel");
        return subscriptions.computeIfAbsent(channel, c -> new Subscription(c, host));
    }

    /** The subscription of a channel, if there is one (also those the server made). */
    public Subscription subscription(String channel) {
        return subscriptions.get(channel);
    }

    // ---- event thread ---------------------------------------------------------------------------

    private final Subscription.Host host = new Subscription.Host() {
        @Override
        public void subscribeRequested(Subscription sub) {
            if (state == ClientState.CONNECTED && transport != null) {
                sendSubscribe(sub);
            }
        }

        @Override
        public void unsubscribeRequested(Subscription sub) {
            if (state != ClientState.CONNECTED || transport == null) {
                return;
            }
            Map.Entry<Integer, CompletableFuture<JsonNode>> r = pending.register(settings.requestTimeout());
            r.getValue().exceptionally(e -> null); // not_subscribed after a race is harmless
            send(Json.MAPPER.createObjectNode().put("type", "unsubscribe").put("id", r.getKey()).put("channel", sub.channel()));
        }

        @Override
        public void execute(Runnable task) {
            HeraldSubscriber.this.execute(task);
        }

        @Override
        public void handlerFailed(RuntimeException e) {
            HeraldSubscriber.this.handlerFailed(e);
        }
    };

    private void execute(Runnable task) {
        try {
            loop.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "herald subscriber task failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("the subscriber is closed", e);
        }
    }

    private void handlerFailed(RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a Herald handler threw", e);
        errors.emit(new HeraldSubscriberException(HeraldErrorCode.INTERNAL, "a handler threw: " + e, false, null));
    }

    private void openTransport() {
        cancel(reconnectTimer);
        reconnectTimer = null;
        int seq = transportSeq;
        tokens.next(settings.connectTimeout()).whenComplete((t, error) -> execute(() -> {
            if (seq != transportSeq || (state != ClientState.CONNECTING && state != ClientState.RECONNECTING) || transport != null) {
                return; // disconnected or closed meanwhile
            }
            if (error != null) {
                HeraldSubscriberException e = TokenSource.failure(error);
                errors.emit(e);
                transportEnded(LocalCloseCode.ABNORMAL, e.getMessage(), false);
                return;
            }
            token = t;
            startTransport();
        }));
    }

    private void startTransport() {
        lastDisconnect = null;
        WsTransport t = new WsTransport(++transportSeq, loop, transportEvents, settings.limits());
        transport = t;
        t.open(http, wsUri, settings.connectTimeout());
        long timeout = settings.connectTimeout().toMillis();
        connectTimer = loop.schedule(() -> transportFailed(LocalCloseCode.CONNECT_TIMEOUT,
                "not connected within " + timeout + " ms", false), timeout, TimeUnit.MILLISECONDS);
    }

    private final WsTransport.Events transportEvents = new WsTransport.Events() {
        @Override
        public void opened(int id) {
            if (transport == null || id != transport.id) {
                return;
            }
            ObjectNode connect = Json.MAPPER.createObjectNode().put("type", "connect");
            if (token != null) {
                connect.put("token", token);
            }
            if (settings.name() != null) {
                connect.put("name", settings.name());
            }
            if (settings.version() != null) {
                connect.put("version", settings.version());
            }
            ObjectNode since = Json.MAPPER.createObjectNode();
            for (Subscription sub : subscriptions.values()) {
                StreamPosition p = sub.position();
                if (sub.serverSide && p != null) {
                    since.putObject(sub.channel()).put("offset", p.offset()).put("epoch", p.epoch());
                }
            }
            if (!since.isEmpty()) {
                connect.set("since", since);
            }
            send(connect);
        }

        @Override
        public void frame(int id, String text) {
            if (transport == null || id != transport.id) {
                return;
            }
            heartbeat.frameReceived();
            JsonNode frame;
            try {
                frame = Json.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                return; // not a frame this client understands: ignored, so a newer server may add some
            }
            if (frame != null && frame.isObject() && frame.path("type").isTextual()) {
                handleFrame((ObjectNode) frame);
            }
        }

        @Override
        public void alive(int id) {
            if (transport != null && id == transport.id) {
                heartbeat.frameReceived();
            }
        }

        @Override
        public void closed(int id, int code, String reason, boolean opened) {
            if (transport == null || id != transport.id) {
                return;
            }
            transport = null;
            transportEnded(code, reason, opened);
        }
    };

    private void handleFrame(ObjectNode frame) {
        String type = frame.get("type").asText();
        if (!Frames.RESERVED.contains(type)) {
            Publication pub = Publication.fromJson(frame);
            Subscription sub = pub == null ? null : subscriptions.get(pub.channel());
            if (sub != null) {
                sub.deliver(pub);
            }
            return;
        }
        JsonNode id = frame.get("id");
        if (id != null && id.isInt() && !"subscribed".equals(type) && pending.settle(id.asInt(), frame)) {
            return;
        }
        switch (type) {
            case "connected" -> connected(frame);
            case "subscribed" -> subscribed(frame);
            case "unsubscribed" -> unsubscribedPush(frame);
            case "refresh_required" -> refreshToken();
            case "disconnect" -> lastDisconnect = frame;
            case "error" -> {
                HeraldErrorCode code = HeraldErrorCode.ofProtocolWord(frame.path("code").asText()).orElse(HeraldErrorCode.INTERNAL);
                errors.emit(new HeraldSubscriberException(code, frame.path("message").asText(""),
                        frame.path("temporary").asBoolean(false), null));
            }
            default -> {
                // pong, join/leave, and replies whose command is no longer waited for
            }
        }
    }

    private void connected(JsonNode frame) {
        if (transport == null) {
            return;
        }
        cancel(connectTimer);
        backoffAttempt = 0;
        unauthorizedInRow = 0;
        info = new ConnectedInfo(frame.path("client").asText(), frame.path("user").asText());
        for (JsonNode entry : frame.path("subscriptions")) {
            if (entry.has("error")) {
                claimRefused(entry);
            } else {
                subscribed(((ObjectNode) entry.deepCopy()).put("type", "subscribed"));
            }
        }
        for (Subscription sub : subscriptions.values()) {
            if (sub.state() == SubscriptionState.SUBSCRIBING && !sub.serverSide) {
                sendSubscribe(sub);
            }
        }
        heartbeat.start();
        boolean was = state == ClientState.CONNECTED;
        setState(ClientState.CONNECTED, null, null);
        if (!was) {
            connectedListeners.emit(info);
        }
    }

    private void subscribed(ObjectNode frame) {
        String channel = frame.path("channel").asText();
        Subscription sub = subscriptions.get(channel);
        JsonNode id = frame.get("id");
        if (id != null && id.isInt()) {
            // a reply: only the subscribe this subscription still waits for counts
            if (sub == null || sub.requestId != id.asInt()) {
                return;
            }
            pending.settle(id.asInt(), frame);
        } else {
            // a server-made subscription (token claim, server API)
            if (sub == null) {
                sub = subscriptions.computeIfAbsent(channel, c -> new Subscription(c, host));
            }
            sub.serverSide = true;
            if (sub.state() == SubscriptionState.UNSUBSCRIBED) {
                sub.setState(SubscriptionState.SUBSCRIBING, null, null, "subscribed by the server");
            }
        }
        if (!frame.path("offset").isIntegralNumber() || !frame.path("epoch").isTextual()) {
            return;
        }
        sub.applySubscribed(frame.get("offset").asLong(), frame.get("epoch").asText(), frame.path("recovered").asBoolean(false));
    }

    private void unsubscribedPush(JsonNode frame) {
        if (frame.has("id")) {
            return; // the reply to our unsubscribe: the state already moved
        }
        Subscription sub = subscriptions.get(frame.path("channel").asText());
        if (sub == null) {
            return;
        }
        String reason = frame.path("reason").asText(null);
        if (frame.path("resubscribe").asBoolean(false)) {
            sub.setState(SubscriptionState.SUBSCRIBING, null, null, reason);
            host.subscribeRequested(sub);
        } else {
            sub.setState(SubscriptionState.UNSUBSCRIBED, null, null, reason);
            sub.serverSide = false;
        }
    }

    private void claimRefused(JsonNode entry) {
        HeraldErrorCode code = HeraldErrorCode.ofProtocolWord(entry.path("error").path("code").asText()).orElse(HeraldErrorCode.INTERNAL);
        HeraldSubscriberException error = new HeraldSubscriberException(code, entry.path("error").path("message").asText(""), false, null);
        Subscription sub = subscriptions.get(entry.path("channel").asText());
        if (sub == null) {
            errors.emit(error);
            return;
        }
        refused(sub, error);
    }

    private void refused(Subscription sub, HeraldSubscriberException error) {
        sub.failed(error);
        sub.serverSide = false;
        sub.setState(SubscriptionState.UNSUBSCRIBED, null, error.code(), error.getMessage());
    }

    private void sendSubscribe(Subscription sub) {
        Map.Entry<Integer, CompletableFuture<JsonNode>> r = pending.register(settings.requestTimeout());
        int id = r.getKey();
        sub.requestId = id;
        r.getValue().whenComplete((reply, failure) -> {
            if (failure == null || sub.requestId != id || !(failure instanceof HeraldSubscriberException error)) {
                return;
            }
            if (error.code() == HeraldErrorCode.CONNECTION_LOST) {
                return; // resubscribed after the reconnect
            }
            sub.failed(error);
            if (error.temporary() && state == ClientState.CONNECTED) {
                long wait = nextBackoff();
                loop.schedule(() -> {
                    if (sub.state() == SubscriptionState.SUBSCRIBING && sub.requestId == id) {
                        host.subscribeRequested(sub);
                    }
                }, wait, TimeUnit.MILLISECONDS);
            } else if (!error.temporary()) {
                sub.setState(SubscriptionState.UNSUBSCRIBED, null, error.code(), error.getMessage());
            }
        });
        ObjectNode cmd = Json.MAPPER.createObjectNode().put("type", "subscribe").put("id", id).put("channel", sub.channel());
        StreamPosition p = sub.position();
        if (p != null) {
            cmd.putObject("since").put("offset", p.offset()).put("epoch", p.epoch());
        }
        if (!send(cmd)) {
            pending.settle(id, Json.MAPPER.createObjectNode().put("type", "error").put("code", "limit_exceeded")
                    .put("message", "outbound queue full").put("temporary", true));
        }
    }

    private void refreshToken() {
        if (!tokens.renewable()) {
            return;
        }
        int seq = transportSeq;
        tokens.next(settings.requestTimeout()).whenComplete((t, error) -> execute(() -> {
            if (error != null) {
                errors.emit(TokenSource.failure(error));
                return;
            }
            token = t;
            if (seq != transportSeq || transport == null || state != ClientState.CONNECTED) {
                return;
            }
            Map.Entry<Integer, CompletableFuture<JsonNode>> r = pending.register(settings.requestTimeout());
            r.getValue().whenComplete((reply, failure) -> {
                if (failure instanceof HeraldSubscriberException e) {
                    errors.emit(e);
                }
            });
            send(Json.MAPPER.createObjectNode().put("type", "refresh").put("id", r.getKey()).put("token", t));
        }));
    }

    private boolean send(ObjectNode command) {
        return transport != null && transport.send(command.toString());
    }

    private void transportFailed(int code, String reason, boolean opened) {
        WsTransport t = transport;
        if (t == null) {
            return;
        }
        t.abort();
        transport = null;
        transportEnded(code, reason, opened);
    }

    /**
     * Decides what follows the end of a transport: reconnect, ask for a token, or stop. The
     * {@code disconnect} push before a close, when there was one, names the code, reason and
     * {@code reconnect}; the code alone decides otherwise ({@link CloseCode#reconnectAllowed}).
     */
    private void transportEnded(int code, String reason, boolean opened) {
        cancel(connectTimer);
        heartbeat.stop();
        JsonNode disconnect = lastDisconnect;
        lastDisconnect = null;
        Boolean pushedReconnect = null;
        if (disconnect != null) {
            code = disconnect.path("code").asInt(code);
            reason = disconnect.path("reason").asText(reason);
            pushedReconnect = disconnect.path("reconnect").isBoolean() ? disconnect.get("reconnect").asBoolean() : null;
        }
        pending.rejectAll(new HeraldSubscriberException(HeraldErrorCode.CONNECTION_LOST,
                "connection lost (" + code + " " + reason + ")", true, code));
        if (state == ClientState.CLOSED || state == ClientState.DISCONNECTED) {
            return;
        }
        boolean unauthorized = code == CloseCode.UNAUTHORIZED.code();
        boolean reconnect = !unauthorized && CloseCode.reconnectAllowed(code, pushedReconnect);
        subscriptionsInterrupted(code, reason);
        if (unauthorized) {
            unauthorized(code, reason);
            return;
        }
        if (!reconnect) {
            setState(ClientState.DISCONNECTED, code, reason);
            return;
        }
        long delay = nextBackoff();
        int seq = transportSeq;
        reconnectTimer = loop.schedule(() -> {
            reconnectTimer = null;
            if (state == ClientState.RECONNECTING && transport == null && seq == transportSeq) {
                openTransport();
            }
        }, delay, TimeUnit.MILLISECONDS);
        setState(ClientState.RECONNECTING, code, reason);
    }

    /** 4003: the token is not good (any more). Reconnect only with a new one from the supplier, once per success. */
    private void unauthorized(int code, String reason) {
        unauthorizedInRow++;
        errors.emit(new HeraldSubscriberException(HeraldErrorCode.UNAUTHORIZED, reason, false, code));
        setState(ClientState.DISCONNECTED, code, reason);
        if (tokens.renewable() && unauthorizedInRow <= 1) {
            setState(ClientState.CONNECTING, null, "new token after 4003");
            openTransport();
        }
    }

    private void subscriptionsInterrupted(Integer code, String reason) {
        for (Subscription sub : subscriptions.values()) {
            if (sub.state() == SubscriptionState.SUBSCRIBED) {
                sub.setState(SubscriptionState.SUBSCRIBING, code, null, reason == null || reason.isEmpty() ? "connection lost" : reason);
            }
        }
    }

    private void endTransport() {
        cancel(reconnectTimer);
        cancel(connectTimer);
        reconnectTimer = null;
        heartbeat.stop();
        transportSeq++; // a token fetch under way is stale now
        if (transport != null) {
            transport.close();
            transport = null;
        }
        pending.rejectAll(new HeraldSubscriberException(HeraldErrorCode.CONNECTION_LOST, "client disconnected", true, null));
    }

    private long nextBackoff() {
        long min = settings.minReconnectDelay().toMillis();
        return Backoff.delayMillis(backoffAttempt++, min, settings.maxReconnectDelay().toMillis(), min, settings.random());
    }

    private void setState(ClientState next, Integer code, String reason) {
        ClientState old = state;
        if (old == next) {
            return;
        }
        state = next;
        states.emit(new StateChange<>(old, next, code, null, reason));
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
