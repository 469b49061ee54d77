package io.herald.session;

import io.herald.protocol.CloseCode;
import java.util.concurrent.Executor;

/**
 * The transport side of one client connection, as the session sees it. The connection has one
 * thread (its event loop) that owns all session state: {@link #send} and {@link #close} are called on
 * it only; {@link #execute} may be called from any thread. The transport calls
 * {@link ClientSession#onTick} about once a second on that thread; sessions keep no timers.
 */
public interface Connection {
    /** Runs {@code task} on the connection's thread, after tasks submitted before it. */
    void execute(Runnable task);

    /** The connection's thread as an executor; the same object every time (the hub groups by it). */
    Executor executor();

    /** True when the caller is on the connection's thread. */
    boolean inLoop();

    /** Queues a text frame; frames leave in the order queued. The array must not be modified afterwards. */
    void send(byte[] frame);

    /**
     * Queues a text frame that goes to many connections unchanged (a publication); the transport may
     * encode it once per thread and share the bytes. Same ordering as {@link #send}.
     */
    void sendShared(byte[] frame);

    /** Sends the {@code disconnect} push and a close frame with {@code code}, then closes. */
    void close(CloseCode code, String reason);
}
