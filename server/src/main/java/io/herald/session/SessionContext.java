package io.herald.session;

import io.herald.auth.Claims;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.CloseCode;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What a {@link ClientSession}'s parts ({@link ChannelCommands}, {@link Replay}, {@link TokenDeadlines})
 * use of their session; they hold this instead of the session. Every method is called on the
 * connection's thread.
 */
interface SessionContext {
    /** The connection to send to; the same object every time. */
    Connection connection();

    /** What the node shares (config, engine, hub, metrics); the same object every time. */
    SessionServices services();

    /** The claims of the token in force (anonymous ones without a token); a refresh replaces them. */
    Claims claims();

    String clientId();

    /** This connection as presence shows it. */
    ClientInfo info();

    /** True once {@code connected} may be sent and until the connection closes. */
    boolean isConnected();

    /** True for a one-way stream (SSE): its channels are fixed at connect and it cannot send commands. */
    boolean isStream();

    /** Sends an error reply, counted by code. */
    void sendError(Long id, ErrorCode code, String message);

    /** Sends the error reply {@code e} describes, counted by code. */
    void sendError(ProtocolException e);

    /** Sends the disconnect push, closes the connection and releases everything it held. */
    void disconnect(CloseCode code, String reason);

    /** As {@link #disconnect(CloseCode, String)}, with the push's {@code reconnect} given (the application's). */
    void disconnect(CloseCode code, String reason, boolean reconnect);

    /**
     * Runs {@code callback} with the future's outcome on the connection's thread: at once when the
     * future is already done and the caller is on that thread (a callback that throws then throws to
     * the caller), else as a task (a callback that throws then closes the connection with
     * {@link CloseCode#INTERNAL_ERROR}).
     */
    <T> void onLoop(CompletableFuture<T> future, BiConsumer<T, Throwable> callback);
}
