package io.herald.protocol;

/**
 * A command that cannot be carried out, with the error code and message the client is told.
 * {@code id} is the command's id when it could be read, else null.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final Long id;

    public ProtocolException(ErrorCode code, String message, Long id) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
    }

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ErrorCode code() {
        return code;
    }

    public Long id() {
        return id;
    }

    /** The same error bound to a command id. */
    public ProtocolException withId(Long commandId) {
        return new ProtocolException(code, getMessage(), commandId);
    }
}
