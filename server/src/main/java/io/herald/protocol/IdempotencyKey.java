package io.herald.protocol;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The {@code idempotency_key} of a publish: given by the caller (1–{@value #MAX_LENGTH} characters)
 * or assigned by Herald, so that every publish can be retried safely after an answer that did not
 * come back ({@code unknown_outcome}). Thread-safe.
 */
public final class IdempotencyKey {
    public static final int MAX_LENGTH = 256;
    /** The wire name of the field, in publish commands, API bodies, answers and errors. */
    public static final String FIELD = "idempotency_key";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private IdempotencyKey() {
    }

    /** Why {@code key} cannot be used, or null when it can. */
    public static String problem(String key) {
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            return FIELD + " must be 1-" + MAX_LENGTH + " characters";
        }
        return null;
    }

    /**
     * A new key nobody can guess: 128 random bits as 22 URL-safe characters. Unguessable because a
     * client that knew another client's key could publish first under it and have that client's
     * retry mistaken for a duplicate.
     */
    public static String random() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return ENCODER.encodeToString(bits);
    }
}
