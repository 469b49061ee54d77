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

    /** The transport's tick, about once a second. */
    void onTick(long nowMillis);

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
