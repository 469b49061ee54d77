package io.herald.sdk.subscriber;

import io.herald.sdk.HeraldErrorCode;

/**
 * An error reported by the server ({@code error} frame) or by the subscriber itself.
 * {@link #temporary()} is true when the same operation may succeed later; {@link #closeCode()} is
 * set for errors caused by the end of a connection (a refused token: 4003).
 */
public final class HeraldSubscriberException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final HeraldErrorCode code;
    private final boolean temporary;
    private final Integer closeCode;

    public HeraldSubscriberException(HeraldErrorCode code, String message, boolean temporary, Integer closeCode) {
        super(message);
        this.code = code;
        this.temporary = temporary;
        this.closeCode = closeCode;
    }

    public HeraldErrorCode code() {
        return code;
    }

    public boolean temporary() {
        return temporary;
    }

    public Integer closeCode() {
        return closeCode;
    }

    @Override
    public String toString() {
        return "HeraldSubscriberException[" + code + (closeCode != null ? " close " + closeCode : "") + "]: " + getMessage();
    }
}
