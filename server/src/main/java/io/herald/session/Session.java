package io.herald.session;

import io.herald.protocol.CloseCode;

/**
 * A protocol session as its transport drives it: Herald's own ({@link ClientSession}) or an adapter
 * speaking another protocol over the same hub (the Pusher Channels protocol on {@code /app/{key}}).
 * Every method is called on the connection's thread.
 */
public interface Session {
    /** The node-unique client id. */
    String clientId();

    /** The user id ("" for anonymous). */
    String userId();

    /** A whole text message from the client. */
    void onFrame(byte[] frame);

    /** A message the transport does not take (binary, say): answered, the connection kept. */
    void onUnsupportedFrame(String why);

    /**
     * The transport's tick: acts on the deadlines that passed, and returns when the next one falls
     * (epoch ms; {@link #NO_DEADLINE} for none, {@code nowMillis} to be ticked again within a second).
     * The transport may tick sooner, and ticks again within a second of {@link Connection#deadlinesChanged}.
     */
    long onTick(long nowMillis);

    /** What {@link #onTick} returns when the session has no deadline. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** The transport takes writes again after it stopped. */
    void onWritable();

    /** The transport saw the connection close (or closed it); idempotent. */
    void onClosed();

    /**
     * The text message sent just before the close frame for {@code code} (Herald's {@code disconnect}
     * push), or null for none.
     */
    byte[] goodbye(CloseCode code, String reason, boolean reconnect);

    /** The WebSocket close code sent for {@code code}: the protocol's own number for that cause. */
    int closeCode(CloseCode code);
}
