package io.herald.session;

import io.herald.metrics.RateLimit;
import io.herald.auth.Claims;
import io.herald.config.HeraldConfig;
import io.herald.engine.ControlCommand;
import io.herald.hub.Subscriber;
import io.herald.hub.SubscriberView;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Command;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.Frames;
import io.herald.protocol.ProtocolException;
import io.herald.protocol.RawJson;
import io.herald.proxy.ProxyKind;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.StreamPosition;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's protocol state machine: connect and authentication, command dispatch in
 * arrival order, token expiry, and the connection's subscriptions. All state is owned by the
 * connection's thread ({@link Connection#inLoop()}); the {@link Subscriber} methods, called by the hub
 * from any thread, hop onto it.
 */
public final class ClientSession implements Subscriber, Session {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    /** Frames queued behind a command still in progress before new ones are refused. */
    static final int MAX_QUEUED_FRAMES = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private enum State { AWAITING_CONNECT, AUTHENTICATING, CONNECTED, CLOSED }

    private final Connection conn;
    private final SessionServices services;
    private final HeraldConfig config;
    private final String clientId = newClientId();
    private final long createdMillis = System.currentTimeMillis();
    /** Written once on the connection's thread before {@link io.herald.hub.Hub#register}; read by any thread. */
    private volatile String userId = "";
    private State state = State.AWAITING_CONNECT;
    private Claims claims = Claims.anonymous();
    /** Built on first use (presence), and again after a refresh changed the claims. */
    private ClientInfo info;
    /** Frames waiting behind a command in progress; created on first need (most connections never queue). */
    private ArrayDeque<byte[]> inbox;
    /** True while a command (or authentication) is in progress; later frames wait in the inbox. */
    private boolean busy;
    /** When a connection still awaiting its first command is closed (epoch millis); 0 once connected. */
    private long connectDeadline;
    /** Completes once {@code connected} has been sent. */
    private CompletableFuture<Void> established = DONE;
    private final TokenDeadlines tokenDeadlines;
    private final CommandRate commandRate;
    private final ChannelCommands channelCommands;
    private final SessionContext context;
    /** A one-way stream's (SSE) channels, joined at connect instead of the {@code subscribe} claim; null on WebSocket. */
    private List<ChannelName> streamChannels;
    /** The request as the connect proxy sees it; null without a connect proxy or with a token, and once connected. */
    private Handshake handshake;
    /** True when the connect proxy admitted the connection: the refresh proxy, not a token, extends it. */
    private boolean viaProxy;

    public ClientSession(Connection conn, SessionServices services) {
        this.conn = conn;
        this.services = services;
        this.config = services.config();
        this.commandRate = new CommandRate(config.client().commandRate(), config.client().commandBurst());
        this.context = new Context();
        this.tokenDeadlines = new TokenDeadlines(context);
        this.channelCommands = new ChannelCommands(context);
    }

    static String newClientId() {
        return "c_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public String userId() {
        return userId;
    }

    @Override
    public CompletableFuture<SubscriberView> describe() {
        CompletableFuture<SubscriberView> out = new CompletableFuture<>();
        conn.execute(() -> out.complete(new SubscriberView(clientId, userId, conn.transport().wire(), conn.remoteAddress(),
                createdMillis, channelCommands.channelNames())));
        return out;
    }

    /**
     * Starts the session once the upgrade is done; {@code token} is the {@code ?token=} value or null,
     * {@code handshake} the request for the connect proxy (null when there is none): without a token,
     * the first frame then connects through it.
     */
    public void start(String token, Handshake handshake) {
        if (token != null) {
            authenticate(null, token, Map.of());
        } else {
            this.handshake = handshake;
            connectDeadline = System.currentTimeMillis() + config.client().connectTimeout().toMillis();
            conn.deadlinesChanged();
        }
    }

    /**
     * Starts a one-way stream session (SSE), which sends no commands: authenticates {@code token}
     * (null: anonymous where allowed), then joins {@code channels}, each permission-checked like a
     * {@code subscribe}, recovering those with a {@code since}, and sends {@code connected}. Without a
     * token, a {@code handshake} (non-null where a connect proxy is configured) asks the connect proxy.
     */
    public void startStream(String token, List<ChannelName> channels, Map<ChannelName, StreamPosition> since,
                            Handshake handshake) {
        streamChannels = List.copyOf(channels);
        if (token != null) {
            authenticate(null, token, since);
        } else if (handshake != null) {
            this.handshake = handshake;
            proxyConnect(null, null, since);
        } else if (config.allowAnonymous()) {
            establish(null, Claims.anonymous(), null, since);
        } else {
            disconnect(CloseCode.UNAUTHORIZED, "a token is required");
        }
    }

    /** The {@code disconnect} push. */
    @Override
    public byte[] goodbye(CloseCode code, String reason, boolean reconnect) {
        return Frames.disconnect(code, reason, reconnect);
    }

    @Override
    public int closeCode(CloseCode code) {
        return code.code();
    }

    /** The transport's periodic tick: the connect timeout and the token's deadlines. */
    @Override
    public long onTick(long nowMillis) {
        long next = NO_DEADLINE;
        if (state == State.AWAITING_CONNECT && connectDeadline > 0) {
            if (nowMillis >= connectDeadline) {
                disconnect(CloseCode.BAD_REQUEST, "no connect frame within "
                        + config.client().connectTimeout().toSeconds() + "s");
            } else {
                next = connectDeadline;
            }
        } else if (state == State.CONNECTED) {
            tokenDeadlines.check(nowMillis);
            next = tokenDeadlines.next();
        }
        return commandRate.onTick() ? nowMillis : next;
    }

    /** The transport takes writes again after it stopped: paced replays go on. */
    @Override
    public void onWritable() {
        if (state == State.CONNECTED) {
            channelCommands.onWritable();
        }
    }

    /**
     * A text frame from the client. Frames beyond the command rate get {@code too_many_requests}; a
     * client refused {@code command_burst} times within 10 s is flooding and is closed with 4001.
     */
    @Override
    public void onFrame(byte[] frame) {
        if (state == State.CLOSED) {
            return;
        }
        CommandRate.Verdict verdict = commandRate.take(System.nanoTime());
        if (verdict != CommandRate.Verdict.TAKE) {
            services.metrics().rateLimited(RateLimit.COMMANDS);
            if (verdict == CommandRate.Verdict.FLOOD) {
                disconnect(CloseCode.BAD_REQUEST, "command flood: more than " + config.client().commandRate()
                        + " commands per second");
            } else {
                // parsing a refused frame for its id is bounded: command_burst refusals close the connection
                sendError(CommandParser.peekId(frame), ErrorCode.TOO_MANY_REQUESTS, "more than "
                        + config.client().commandRate() + " commands per second; slow down");
            }
            return;
        }
        if (!busy && (inbox == null || inbox.isEmpty())) {
            run(frame);
            return;
        }
        if (inbox == null) {
            inbox = new ArrayDeque<>(4);
        }
        if (inbox.size() >= MAX_QUEUED_FRAMES) {
            sendError(CommandParser.peekId(frame), ErrorCode.TOO_MANY_REQUESTS,
                    "too many commands in flight; wait for replies before sending more");
            return;
        }
        inbox.addLast(frame);
        drain();
    }

    /** A frame the transport refused (binary, say): answered with bad_request, connection kept. */
    @Override
    public void onUnsupportedFrame(String why) {
        if (state != State.CLOSED) {
            sendError(null, ErrorCode.BAD_REQUEST, why);
        }
    }

    /** Handles a frame; while its command is in progress, later frames wait in the inbox. */
    private void run(byte[] frame) {
        if (state == State.CLOSED) {
            return;
        }
        CompletableFuture<Void> step = handle(frame);
        if (!step.isDone()) {
            busy = true;
            step.whenComplete((v, e) -> conn.execute(() -> {
                busy = false;
                drain();
            }));
        }
    }

    private void drain() {
        while (!busy && state != State.CLOSED && inbox != null && !inbox.isEmpty()) {
            run(inbox.pollFirst());
        }
        if (inbox != null && inbox.isEmpty()) {
            inbox = null; // most connections are idle most of the time: keep no empty queue for them
        }
    }

    private CompletableFuture<Void> handle(byte[] frame) {
        Command cmd;
        try {
            cmd = CommandParser.parse(frame, 0, frame.length);
        } catch (ProtocolException e) {
            sendError(e);
            return DONE;
        }
        if (state == State.AWAITING_CONNECT) {
            cancelConnectTimer();
            if (cmd instanceof Command.Connect c) {
                return connect(c);
            }
            if (handshake != null) {
                return afterConnect(proxyConnect(null, null, Map.of()), cmd);
            }
            if (!config.allowAnonymous()) {
                disconnect(CloseCode.UNAUTHORIZED, "authentication required: send connect with a token first");
                return DONE;
            }
            establish(null, Claims.anonymous(), null, Map.of());
            return whenConnected(cmd);
        }
        return dispatch(cmd);
    }

    /** Runs {@code cmd} once the connect proxy's connect is done and, if it connected, {@code connected} is out. */
    private CompletableFuture<Void> afterConnect(CompletableFuture<Void> connecting, Command cmd) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        onLoop(connecting, (v, e) -> dispatch(cmd).whenComplete((x, y) -> out.complete(null)));
        return out;
    }

    /** Runs {@code cmd} once {@code connected} has been sent (connect-time subscriptions may be in flight). */
    private CompletableFuture<Void> whenConnected(Command cmd) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        onLoop(established, (v, e) -> dispatch(cmd).whenComplete((x, y) -> out.complete(null)));
        return out;
    }

    private CompletableFuture<Void> dispatch(Command cmd) {
        if (state != State.CONNECTED) {
            return DONE;
        }
        try {
            return switch (cmd) {
                case Command.Connect c -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "already connected", c.id());
                case Command.Ping p -> {
                    conn.send(Frames.pong(p.id(), p.timestamp()));
                    yield DONE;
                }
                case Command.Subscribe s -> channelCommands.subscribe(s);
                case Command.Unsubscribe u -> channelCommands.unsubscribe(u);
                case Command.Publish p -> channelCommands.publish(p);
                case Command.Presence p -> channelCommands.presence(p);
                case Command.History h -> channelCommands.history(h);
                case Command.Refresh r -> refresh(r);
                case Command.Rpc r -> ProxyCommands.rpc(context, r);
            };
        } catch (ProtocolException e) {
            sendError(e);
            return DONE;
        }
    }

    private CompletableFuture<Void> connect(Command.Connect c) {
        if (c.token() == null || c.token().isEmpty()) {
            if (handshake != null) {
                return proxyConnect(c.id(), c.data(), c.since());
            }
            if (!config.allowAnonymous()) {
                disconnect(CloseCode.UNAUTHORIZED, "a token is required");
                return DONE;
            }
            establish(c.id(), Claims.anonymous(), null, c.since());
            return established;
        }
        handshake = null; // a token was given: the proxy is not asked
        return authenticate(c.id(), c.token(), c.since());
    }

    private CompletableFuture<Void> authenticate(Long id, String token, Map<ChannelName, StreamPosition> since) {
        return admit(id, services.authenticator().authenticate(token)
                .thenApply(claims -> new ProxyCalls.Admission(claims, null)), since);
    }

    /** Asks the connect proxy (with the {@code connect} command's {@code data}, if any) who the client is. */
    private CompletableFuture<Void> proxyConnect(Long id, RawJson data, Map<ChannelName, StreamPosition> since) {
        Handshake h = handshake;
        handshake = null;
        viaProxy = true;
        return admit(id, ProxyCalls.connect(services, h, clientId, data), since);
    }

    /**
     * Connects with the claims {@code admission} completes with, or closes: 4003 for a bad token, the
     * connect proxy's refusal as {@link ProxyRefusal} says (after its error reply where it has one).
     */
    private CompletableFuture<Void> admit(Long id, CompletableFuture<ProxyCalls.Admission> admission,
                                          Map<ChannelName, StreamPosition> since) {
        state = State.AUTHENTICATING;
        busy = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        admission.whenComplete((admitted, error) -> conn.execute(() -> {
            if (state == State.CLOSED) {
                done.complete(null);
                return;
            }
            if (error != null) {
                ProxyRefusal refusal = ProxyRefusal.in(error);
                if (refusal == null) {
                    disconnect(CloseCode.UNAUTHORIZED, RequestAuth.authProblem(error));
                } else {
                    if (refusal.errorReply() && id != null) {
                        sendError(refusal.error().withId(id));
                    }
                    disconnect(refusal.close(), refusal.getMessage(), refusal.reconnect());
                }
                done.complete(null);
                return;
            }
            establish(id, admitted.claims(), admitted.data(), since);
            established.whenComplete((v, e) -> conn.execute(() -> {
                busy = false;
                done.complete(null);
                drain();
            }));
        }));
        return done;
    }

    /**
     * Marks the connection established, joins the token's channels and sends {@code connected} (with
     * {@code data}, the connect proxy's, when not null).
     */
    private void establish(Long id, Claims verified, JsonNode data, Map<ChannelName, StreamPosition> since) {
        state = State.CONNECTED;
        claims = verified;
        userId = verified.user();
        info = null;
        int perUser = services.hub().register(this);
        int maxPerUser = config.limits().connectionsPerUser();
        if (maxPerUser > 0 && !verified.isAnonymous() && perUser > maxPerUser) {
            services.metrics().rateLimited(RateLimit.CONNECTIONS_PER_USER);
            disconnect(CloseCode.CONNECTION_LIMIT, "user " + userId + " is at the limit of " + maxPerUser
                    + " connection(s) per user");
            return;
        }
        tokenDeadlines.schedule(verified.expiresAt(), viaProxy && services.proxy().has(ProxyKind.REFRESH));
        CompletableFuture<Void> ready = new CompletableFuture<>();
        established = ready;
        if (streamChannels == null) {
            join(id, verified, data, since, verified.subscribe(), List.of(), ready);
            return;
        }
        onLoop(RequestAuth.streamAccess(services, verified, clientId, streamChannels), (access, error) -> {
            // a stream refuses a channel the token (or the subscribe proxy) does not allow alone, unless it allows none
            List<ChannelRefusal> refused = error == null ? access.refused() : List.of();
            if (state != State.CONNECTED || error != null || access.disconnect() != null
                    || refused.size() == streamChannels.size()) {
                if (error != null) {
                    log.error("connection {}: stream channels could not be checked", clientId, error);
                    disconnect(CloseCode.INTERNAL_ERROR, "internal error");
                } else if (access.disconnect() != null) {
                    disconnect(access.disconnect().close(), access.disconnect().getMessage(), access.disconnect().reconnect());
                } else if (state == State.CONNECTED) {
                    services.metrics().error(ErrorCode.PERMISSION_DENIED);
                    disconnect(CloseCode.UNAUTHORIZED, refused.getFirst().message());
                }
                ready.complete(null);
                return;
            }
            Set<String> denied = new HashSet<>();
            refused.forEach(r -> denied.add(r.channel()));
            List<String> joining = streamChannels.stream().map(ChannelName::value).filter(c -> !denied.contains(c)).toList();
            join(id, verified, data, since, joining, refused, ready);
        });
    }

    /** Joins {@code joining} (reporting {@code refused} with them), sends {@code connected}, then completes {@code ready}. */
    private void join(Long id, Claims verified, JsonNode data, Map<ChannelName, StreamPosition> since,
                      List<String> joining, List<ChannelRefusal> refused, CompletableFuture<Void> ready) {
        onLoop(channelCommands.joinAtConnect(joining, since, refused), (joined, error) -> {
            try {
                if (state != State.CONNECTED) {
                    return;
                }
                List<Frames.JoinedChannel> list = new ArrayList<>();
                for (ChannelCommands.Opened o : joined.opened()) {
                    list.add(new Frames.JoinedChannel(o.sub().channel, o.result().position(), o.wasRecovered()));
                }
                for (ChannelRefusal r : joined.refused()) {
                    services.metrics().error(r.code());
                }
                conn.sendConnected(Frames.connected(id, clientId, userId, config.client().ping().toSeconds(),
                        verified.expiresAt(), list, joined.refused(), data), list, joined.refused());
                joined.opened().forEach(channelCommands::goLive);
                tokenDeadlines.check(System.currentTimeMillis());
            } finally {
                ready.complete(null);
                if (established == ready) {
                    established = DONE; // nothing to keep per connection once it is done
                }
            }
        });
    }

    private CompletableFuture<Void> refresh(Command.Refresh r) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        services.authenticator().authenticate(r.token()).whenComplete((fresh, error) -> conn.execute(() -> {
            try {
                if (state != State.CONNECTED) {
                    return;
                }
                if (error != null) {
                    sendError(RequestAuth.authError(error).withId(r.id()));
                    return;
                }
                if (!fresh.user().equals(userId)) {
                    disconnect(CloseCode.UNAUTHORIZED, "refresh token belongs to another user");
                    return;
                }
                claims = fresh;
                info = null;
                viaProxy = false; // a token now: refresh_required, not the refresh proxy, from here on
                tokenDeadlines.schedule(fresh.expiresAt(), false);
                conn.send(Frames.refreshed(r.id(), fresh.expiresAt()));
                tokenDeadlines.check(System.currentTimeMillis());
                channelCommands.dropRevoked();
            } finally {
                done.complete(null);
            }
        }));
        return done;
    }

    /** Sends the disconnect push, closes the connection and releases everything it held. */
    private void disconnect(CloseCode code, String reason) {
        disconnect(code, reason, code.reconnect());
    }

    /** As {@link #disconnect(CloseCode, String)}, with the push's {@code reconnect} given (see {@link Connection#close}). */
    private void disconnect(CloseCode code, String reason, boolean reconnect) {
        if (state == State.CLOSED) {
            return;
        }
        log.debug("closing {} with {}: {}", clientId, code.code(), reason);
        conn.close(code, reason, reconnect);
        onClosed();
    }

    /** The transport saw the connection close (or closed it); idempotent. */
    @Override
    public void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasConnected = state == State.CONNECTED;
        state = State.CLOSED;
        cancelConnectTimer();
        tokenDeadlines.cancel();
        inbox = null;
        channelCommands.endAll();
        if (wasConnected) {
            services.hub().unregister(this);
        }
    }

    private void cancelConnectTimer() {
        connectDeadline = 0;
    }

    private void sendError(ProtocolException e) {
        services.metrics().error(e.code());
        conn.send(Frames.error(e.id(), e.code(), e.getMessage(), e.temporary(), e.idempotencyKey()));
    }

    /** Every error reply goes through here, so each is counted by code. */
    private void sendError(Long id, ErrorCode code, String message) {
        services.metrics().error(code);
        conn.send(Frames.error(id, code, message));
    }

    /** See {@link SessionContext#onLoop}. */
    private <T> void onLoop(CompletableFuture<T> future, BiConsumer<T, Throwable> callback) {
        if (future.isDone() && conn.inLoop()) {
            T value = null;
            Throwable error = null;
            try {
                value = future.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                error = e.getCause() != null ? e.getCause() : e;
            }
            callback.accept(value, error);
        } else {
            future.whenComplete((v, e) -> conn.execute(() -> {
                try {
                    callback.accept(v, e);
                } catch (RuntimeException failure) {
                    log.error("connection {}: a callback failed; closing", clientId, failure);
                    disconnect(CloseCode.INTERNAL_ERROR, "internal error");
                }
            }));
        }
    }

    @Override
    public void control(ControlCommand command) {
        conn.execute(() -> {
            if (state != State.CONNECTED) {
                return;
            }
            switch (command) {
                case ControlCommand.Subscribe s -> channelCommands.serverSubscribe(s.channel());
                case ControlCommand.Unsubscribe u -> channelCommands.serverUnsubscribe(u.channel());
                case ControlCommand.Disconnect d -> disconnect(CloseCode.DISCONNECTED, d.reason(), d.reconnect());
            }
        });
    }

    /**
     * The session as its parts see it. A separate object rather than {@code ClientSession} implementing
     * {@link SessionContext} itself, so none of this becomes public API of the session.
     */
    private final class Context implements SessionContext {
        @Override
        public Connection connection() {
            return conn;
        }

        @Override
        public SessionServices services() {
            return services;
        }

        @Override
        public Claims claims() {
            return claims;
        }

        @Override
        public String clientId() {
            return clientId;
        }

        @Override
        public ClientInfo info() {
            if (info == null) {
                info = new ClientInfo(clientId, userId, claims.info());
            }
            return info;
        }

        @Override
        public boolean isConnected() {
            return state == State.CONNECTED;
        }

        @Override
        public boolean isStream() {
            return streamChannels != null;
        }

        @Override
        public void sendError(Long id, ErrorCode code, String message) {
            ClientSession.this.sendError(id, code, message);
        }

        @Override
        public void sendError(ProtocolException e) {
            ClientSession.this.sendError(e);
        }

        @Override
        public void disconnect(CloseCode code, String reason) {
            ClientSession.this.disconnect(code, reason);
        }

        @Override
        public <T> void onLoop(CompletableFuture<T> future, BiConsumer<T, Throwable> callback) {
            ClientSession.this.onLoop(future, callback);
        }

        @Override
        public void disconnect(CloseCode code, String reason, boolean reconnect) {
            ClientSession.this.disconnect(code, reason, reconnect);
        }
    }
}
