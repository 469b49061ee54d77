package io.herald.protocol;

/**
 * A command that cannot be carried out, with the error code and message the client is told.
 * {@code id} is the command's id when it could be read, else null; {@code temporary} is the code's
 * own unless given; {@code idempotencyKey} is the key a failed publish is retried with, else null.
 */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final Long id;
    private final boolean temporary;
    private final String idempotencyKey;

    public ProtocolException(ErrorCode code, String message, Long id) {
        this(code, message, id, code.temporary(), null);
    }

    public ProtocolException(ErrorCode code, String message, Long id, boolean temporary, String idempotencyKey) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
        this.temporary = temporary;
        this.idempotencyKey = idempotencyKey;
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

    public boolean temporary() {
        return temporary;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The same error bound to a command id. */
    public ProtocolException withId(Long commandId) {
        return new ProtocolException(code, getMessage(), commandId, temporary, idempotencyKey);
    }
}
