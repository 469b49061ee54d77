package io.herald.auth;

/** A token that cannot be accepted. The message says why, and never contains the token. */
public final class AuthException extends Exception {
    /** Why a token was refused. */
    public enum Reason { INVALID, EXPIRED, UNVERIFIABLE }

    private final Reason reason;

    public AuthException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
