package io.herald.session;

import io.herald.protocol.CloseCode;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The transport side of one client connection, as the session sees it. The connection has one
 * thread (its event loop) that owns all session state: {@link #send} and {@link #close} are called on
 * it only; {@link #execute} may be called from any thread. The transport calls
 * {@link ClientSession#onTick} on that thread when the deadline it last returned is near (at most a
 * second late); sessions keep no timers, and call {@link #deadlinesChanged} when they set one.
 */
public interface Connection {
    /**
     * The session set or moved a deadline of its own (connect, sign-in, token expiry): its next
     * {@link Session#onTick} comes within about a second, and returns the new next one. On the
     * connection's thread.
     */
    default void deadlinesChanged() {
    }

    /** The transport: {@link ClientTransport#WEBSOCKET} or {@link ClientTransport#SSE}. */
    ClientTransport transport();

    /** The peer's address and port, or null when unknown. */
    String remoteAddress();

    /** Runs {@code task} on the connection's thread, after tasks submitted before it. */
    void execute(Runnable task);

    /** The connection's thread as an executor; the same object every time (the hub groups by it). */
    Executor executor();

    /** True when the caller is on the connection's thread. */
    boolean inLoop();

    /**
     * True while the transport takes more frames without passing its pacing mark (bytes queued and not
     * yet taken by the socket). Paced writers (recovery replays) write only while it holds and go on when
     * the transport calls {@link ClientSession#onWritable}; other frames are queued regardless, within
     * the transport's byte cap.
     */
    boolean isWritable();

    /** Queues a text frame; frames leave in the order queued. The array must not be modified afterwards. */
    void send(byte[] frame);

    /**
     * Queues a text frame that goes to many connections unchanged (a publication); the transport may
     * encode it once per thread and share the bytes. Same ordering as {@link #send}.
     */
    void sendShared(byte[] frame);

    /**
     * Queues a publication push ({@code shared}: a live one that goes to many connections, see
     * {@link #sendShared}). Transports that tell the client its stream positions (SSE event ids)
     * override this to see which publication it is.
     */
    default void sendPublication(Publication publication, boolean shared) {
        if (shared) {
            sendShared(publication.frame());
        } else {
            send(publication.frame());
        }
    }

    /**
     * Queues the {@code connected} push, which reports {@code joined} and {@code refused}; the same hook
     * for position-tracking transports.
     */
    default void sendConnected(byte[] frame, List<Frames.JoinedChannel> joined, List<ChannelRefusal> refused) {
        send(frame);
    }

    /** Sends the {@code disconnect} push and a close frame with {@code code}, then closes. */
    default void close(CloseCode code, String reason) {
        close(code, reason, code.reconnect());
    }

    /**
     * As {@link #close(CloseCode, String)}, with the push's {@code reconnect} given: the application
     * decides it for {@link CloseCode#DISCONNECTED}; every other code has its own.
     */
    void close(CloseCode code, String reason, boolean reconnect);
}
