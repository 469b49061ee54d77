package io.herald.session;

import io.herald.protocol.CloseCode;
import io.herald.protocol.ProtocolException;

/**
 * The backend proxy would not let a command (or a connection) go ahead, or could not be asked.
 * {@link #error()} is what a command or an HTTP request is answered with; {@link #close()} is
 * non-null when the connection ends (a {@code disconnect} answer, or any refused connect), with
 * {@link #reconnect()}. {@link #errorReply()} tells a refused {@code connect} command to get the
 * backend's {@code error} reply before the close.
 */
public final class ProxyRefusal extends Exception {
    private final ProtocolException error;
    private final CloseCode close;
    private final boolean reconnect;
    private final boolean errorReply;

    ProxyRefusal(ProtocolException error, CloseCode close, boolean reconnect, boolean errorReply) {
        super(error.getMessage(), null, false, false);
        this.error = error;
        this.close = close;
        this.reconnect = reconnect;
        this.errorReply = errorReply;
    }

    /** A command's refusal: the error only, the connection goes on. */
    static ProxyRefusal command(ProtocolException error) {
        return new ProxyRefusal(error, null, false, true);
    }

    public ProtocolException error() {
        return error;
    }

    /** The close code when the connection ends, else null. */
    public CloseCode close() {
        return close;
    }

    public boolean reconnect() {
        return reconnect;
    }

    public boolean errorReply() {
        return errorReply;
    }

    /** The refusal inside a future's failure, or null when the failure is something else. */
    public static ProxyRefusal in(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        return cause instanceof ProxyRefusal r ? r : null;
    }
}
