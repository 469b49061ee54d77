package io.herald.pusher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.HeraldConfig;
import io.herald.config.PusherAppConfig;
import io.herald.engine.ControlCommand;
import io.herald.hub.Subscriber;
import io.herald.hub.SubscriberView;
import io.herald.metrics.RateLimit;
import io.herald.protocol.CloseCode;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.FrameObject;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.RawJson;
import io.herald.session.CommandRate;
import io.herald.session.Connection;
import io.herald.session.Session;
import io.herald.session.SessionServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /app/{key}} connection speaking the Pusher Channels protocol (version 7) over the node's
 * hub: the handshake ({@code pusher:connection_established}), ping and pong, signin, errors and closes
 * with Pusher's codes, and the dispatch of channel events to {@link PusherChannels}. The session rules
 * are the node's: the connection counts against {@code limits.max_connections} and, once signed in,
 * {@code connections_per_user}; its messages against {@code client.command_rate} (a flood closes it).
 * Its client id is its {@code socket_id}. All state is owned by the connection's thread; the
 * {@link Subscriber} methods hop onto it.
 */
public final class PusherSession implements Session, Subscriber {
    private static final Logger log = LoggerFactory.getLogger(PusherSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Longest {@code user_data} of a signin accepted, in bytes. */
    static final int MAX_USER_DATA_BYTES = 2048;

    /** A signed-in user: its id, its {@code user_info} (may be null) and the {@code user_data} as signed. */
    record User(String id, JsonNode info, String userData) {
    }

    private enum State { NEW, OPEN, CLOSED }

    private final Connection conn;
    private final PusherAdapter adapter;
    private final SessionServices services;
    /** Null when the key named no app: the session refuses with 4001 as it starts. */
    private final PusherApp app;
    /** A problem the upgrade found (the protocol version), or null. */
    private final PusherErrorCode refusal;
    private final String socketId = newSocketId();
    private final long createdMillis = System.currentTimeMillis();
    private final CommandRate commandRate;
    /** Null until the app is known (the session of an unknown key has none). */
    private final PusherChannels channels;
    private State state = State.NEW;
    /** The hub's user id: "" until signin; written on the connection's thread, read by any. */
    private volatile String userId = "";
    /** Null until a signin succeeded. */
    private User user;
    /** When a connection of an app with {@code user_authentication} must have signed in (epoch ms); 0: no deadline. */
    private long signinDeadline;
    /** True once counted in the app's connections, so it is counted out exactly once. */
    private boolean counted;
    /** The Pusher code of the close under way, chosen by {@link #goodbye} and sent by {@link #closeCode}. */
    private PusherErrorCode closing;

    PusherSession(Connection conn, PusherAdapter adapter, PusherApp app, PusherErrorCode refusal) {
        this.conn = conn;
        this.adapter = adapter;
        this.services = adapter.services();
        this.app = app;
        this.refusal = refusal;
        HeraldConfig config = services.config();
        this.commandRate = new CommandRate(config.client().commandRate(), config.client().commandBurst());
        this.channels = app == null ? null : new PusherChannels(this, conn, services, app);
    }

    /** Pusher's form of a socket id, {@code <digits>.<digits>}, which the server SDKs check. */
    static String newSocketId() {
        return (1 + RANDOM.nextInt(999_999_999)) + "." + (1 + RANDOM.nextInt(999_999_999));
    }

    @Override
    public String clientId() {
        return socketId;
    }

    @Override
    public String userId() {
        return userId;
    }

    PusherApp app() {
        return app;
    }

    /** The signed-in user, or null. */
    User user() {
        return user;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Starts the session once the transport counts the connection: refuses an unknown app, a bad
     * protocol version or an app at its connection limit, else registers with the hub and sends
     * {@code pusher:connection_established}.
     */
    public void start() {
        if (state != State.NEW) {
            return;
        }
        if (app == null) {
            refuse(PusherErrorCode.APP_DOES_NOT_EXIST, CloseCode.UNAUTHORIZED, PusherErrorCode.APP_DOES_NOT_EXIST.message());
            return;
        }
        if (refusal != null) {
            refuse(refusal, CloseCode.BAD_REQUEST, refusal.message() + " (Herald speaks protocol 7)");
            return;
        }
        if (!adapter.tryOpen(app)) {
            services.metrics().rateLimited(RateLimit.MAX_CONNECTIONS);
            refuse(PusherErrorCode.OVER_QUOTA, CloseCode.CONNECTION_LIMIT, "app " + app.id() + " is at its limit of "
                    + app.config().maxConnections() + " connections on this node");
            return;
        }
        counted = true;
        state = State.OPEN;
        services.hub().register(this);
        if (app.config().userAuthentication()) {
            signinDeadline = System.currentTimeMillis() + PusherAppConfig.SIGNIN_DEADLINE_SECONDS * 1000L;
            conn.deadlinesChanged();
        }
        conn.send(PusherFrames.connectionEstablished(socketId, services.config().client().ping().toSeconds()));
    }

    @Override
    public void onFrame(byte[] frame) {
        if (state != State.OPEN) {
            return;
        }
        CommandRate.Verdict verdict = commandRate.take(System.nanoTime());
        if (verdict != CommandRate.Verdict.TAKE) {
            services.metrics().rateLimited(RateLimit.COMMANDS);
            if (verdict == CommandRate.Verdict.FLOOD) {
                close(CloseCode.BAD_REQUEST, "message flood: more than " + services.config().client().commandRate()
                        + " messages per second");
            } else {
                error(ErrorCode.TOO_MANY_REQUESTS, "more than " + services.config().client().commandRate()
                        + " messages per second; slow down");
            }
            return;
        }
        FrameObject message;
        try {
            message = FrameObject.read(frame, 0, frame.length);
        } catch (IOException e) {
            badFrame("malformed message: not a JSON object (" + e.getClass().getSimpleName() + ")");
            return;
        }
        JsonNode event = message == null ? null : message.fields().get("event");
        if (event == null || !event.isTextual()) {
            badFrame("malformed message: a JSON object with a string \"event\" is expected");
            return;
        }
        dispatch(event.textValue(), message);
    }

    private void dispatch(String event, FrameObject message) {
        switch (event) {
            case PusherFrames.PING -> conn.send(PusherFrames.pong());
            case PusherFrames.PONG -> {
                // liveness: the transport saw the frame arrive
            }
            case PusherFrames.SUBSCRIBE -> {
                ObjectNode data = objectData(message.data());
                if (data != null) {
                    channels.subscribe(data);
                }
            }
            case PusherFrames.UNSUBSCRIBE -> {
                ObjectNode data = objectData(message.data());
                if (data != null) {
                    channels.unsubscribe(data.path("channel").asText(""));
                }
            }
            case PusherFrames.SIGNIN -> {
                ObjectNode data = objectData(message.data());
                if (data != null) {
                    signin(data);
                }
            }
            default -> {
                if (event.startsWith(PusherFrames.CLIENT_EVENT_PREFIX)) {
                    JsonNode channel = message.fields().get("channel");
                    channels.clientEvent(event, channel != null && channel.isTextual() ? channel.textValue() : null,
                            message.data());
                } else {
                    badFrame("unsupported event " + clip(event));
                }
            }
        }
    }

    /**
     * The {@code data} of a protocol event as an object: pusher-js sends an object, some clients a JSON
     * string holding one. Null (after an error reply) when it is neither.
     */
    private ObjectNode objectData(RawJson data) {
        try {
            JsonNode node = data == null ? null : JsonCodec.MAPPER.readTree(data.toString());
            if (node != null && node.isTextual()) {
                node = JsonCodec.MAPPER.readTree(node.textValue());
            }
            if (node instanceof ObjectNode o) {
                return o;
            }
        } catch (IOException e) {
            // answered below, as for any other malformed data
        }
        badFrame("malformed message: \"data\" must be an object");
        return null;
    }

    /** {@code pusher:signin}: the signature over {@code socket_id::user::user_data}, then the user's id. */
    private void signin(ObjectNode data) {
        String auth = data.path("auth").asText(null);
        String userData = data.path("user_data").isTextual() ? data.get("user_data").textValue() : null;
        if (auth == null || userData == null || userData.getBytes(StandardCharsets.UTF_8).length > MAX_USER_DATA_BYTES
                || !PusherSignatures.verify(app.key(), app.secret(), PusherSignatures.userAuthSubject(socketId, userData), auth)) {
            refuse(PusherErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED, "Invalid signature: the signin's auth does not"
                    + " sign socket_id::user::user_data with the app's secret");
            return;
        }
        String id;
        JsonNode info;
        try {
            JsonNode parsed = JsonCodec.MAPPER.readTree(userData);
            id = parsed.path("id").isTextual() ? parsed.get("id").textValue() : null;
            info = parsed.get("user_info");
            app.userChannel(id == null ? "" : id);
        } catch (IOException | PusherChannelException e) {
            refuse(PusherErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED, "user_data needs a string id of 1-148"
                    + " characters of A-Z a-z 0-9 _ . - @ =");
            return;
        }
        services.hub().unregister(this);
        userId = PusherAdapter.hubUser(app, id);
        int perUser = services.hub().register(this);
        int max = services.config().limits().connectionsPerUser();
        if (max > 0 && perUser > max) {
            services.metrics().rateLimited(RateLimit.CONNECTIONS_PER_USER);
            close(CloseCode.CONNECTION_LIMIT, "user " + id + " is at the limit of " + max + " connection(s) per user");
            return;
        }
        user = new User(id, info, userData);
        signinDeadline = 0;
        conn.send(PusherFrames.signinSuccess(userData));
    }

    @Override
    public void onUnsupportedFrame(String why) {
        if (state == State.OPEN) {
            badFrame(why);
        }
    }

    /** A message that cannot be handled: a {@code pusher:error} without a code; the flood rule bounds how many. */
    private void badFrame(String why) {
        error(ErrorCode.BAD_REQUEST, why);
    }

    /**
     * A {@code pusher:error} without a code (the connection stays), counted as the Herald error
     * {@code kind} it is.
     */
    void error(ErrorCode kind, String message) {
        services.metrics().error(kind);
        conn.send(PusherFrames.error(null, message));
    }

    /** A {@code pusher:error} with one of Pusher's codes (the connection stays), counted per app. */
    void error(PusherErrorCode code, String message) {
        services.metrics().pusher().error(app.id(), code);
        conn.send(PusherFrames.error(code, message));
    }

    @Override
    public long onTick(long nowMillis) {
        long next = NO_DEADLINE;
        if (state == State.OPEN && signinDeadline > 0) {
            if (nowMillis >= signinDeadline) {
                refuse(PusherErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED, "no pusher:signin within "
                        + PusherAppConfig.SIGNIN_DEADLINE_SECONDS + "s (the app requires user authentication)");
                return NO_DEADLINE;
            }
            next = signinDeadline;
        }
        return commandRate.onTick() ? nowMillis : next;
    }

    @Override
    public void onWritable() {
        // nothing is paced: Pusher has no recovery replay
    }

    /** Closes with a Pusher code of its own ({@code refusal}), counted under the Herald cause {@code cause}. */
    private void refuse(PusherErrorCode code, CloseCode cause, String message) {
        closing = code;
        close(cause, message, false);
    }

    void close(CloseCode code, String reason) {
        close(code, reason, code.reconnect());
    }

    private void close(CloseCode code, String reason, boolean reconnect) {
        if (state == State.CLOSED) {
            return;
        }
        log.debug("closing Pusher connection {} with {}: {}", socketId, code, reason);
        conn.close(code, reason, reconnect);
        onClosed();
    }

    @Override
    public void onClosed() {
        if (state == State.CLOSED) {
            return;
        }
        boolean wasOpen = state == State.OPEN;
        state = State.CLOSED;
        if (channels != null) {
            channels.endAll();
        }
        if (wasOpen) {
            services.hub().unregister(this);
        }
        if (counted) {
            counted = false;
            adapter.closed(app);
        }
    }

    /**
     * The {@code pusher:error} sent before the close frame, with the Pusher code of the cause: the
     * session's own refusal, else the Herald cause's counterpart (see {@link #pusherCode}).
     */
    @Override
    public byte[] goodbye(CloseCode code, String reason, boolean reconnect) {
        PusherErrorCode pusher = closing != null ? closing : pusherCode(code, reconnect);
        closing = pusher;
        if (app != null) {
            services.metrics().pusher().error(app.id(), pusher);
        }
        return PusherFrames.error(pusher, reason);
    }

    @Override
    public int closeCode(CloseCode code) {
        return (closing != null ? closing : pusherCode(code, code.reconnect())).code();
    }

    /**
     * The Pusher code for a close Herald decided, by what pusher-js should do next: reconnect at once
     * (4200: the node drains, an application disconnect that allows it), back off (4100: limits, slow
     * consumer, an internal error, an oversized frame), or stay away (4009 unauthorized, including
     * {@code terminate_connections}; 4300 a flood or malformed frames).
     */
    static PusherErrorCode pusherCode(CloseCode code, boolean reconnect) {
        return switch (code) {
            case SHUTDOWN, CONTINUITY_LOST -> PusherErrorCode.RECONNECT;
            case BAD_REQUEST -> PusherErrorCode.REFUSED;
            case UNAUTHORIZED -> PusherErrorCode.UNAUTHORIZED;
            case INTERNAL_ERROR, SLOW_CONSUMER, CONNECTION_LIMIT, FRAME_TOO_LARGE -> PusherErrorCode.OVER_CAPACITY;
            case DISCONNECTED -> reconnect ? PusherErrorCode.RECONNECT : PusherErrorCode.UNAUTHORIZED;
        };
    }

    @Override
    public void control(ControlCommand command) {
        conn.execute(() -> {
            if (state != State.OPEN) {
                return;
            }
            // Pusher has no server-side subscriptions: the server API's subscribe and unsubscribe do not apply
            if (command instanceof ControlCommand.Disconnect d) {
                close(CloseCode.DISCONNECTED, d.reason(), d.reconnect());
            }
        });
    }

    @Override
    public CompletableFuture<SubscriberView> describe() {
        CompletableFuture<SubscriberView> out = new CompletableFuture<>();
        conn.execute(() -> out.complete(new SubscriberView(socketId, userId, conn.transport().wire(), conn.remoteAddress(),
                createdMillis, channels == null ? java.util.List.of() : channels.hubNames())));
        return out;
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
