package io.herald.protocol;

import java.security.NoSuchAlgorithmException;
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
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final RandomBits BITS = new RandomBits();

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
        BITS.next(bits);
        return ENCODER.encodeToString(bits);
    }

    /**
     * The operating system's random bits ({@code /dev/urandom}, a CSPRNG), read 4 KiB at a time and
     * handed out once each. Every publish without a key takes 16 bytes: {@code new SecureRandom()}'s
     * {@code nextBytes} (NativePRNG, which mixes each read with SHA1PRNG) cost about 700 ns for them
     * and 1 % of the event loops' CPU in the many-channels bench; a 4 KiB read costs about 40 ns per
     * key. Where {@code NativePRNGNonBlocking} is missing (not a Unix), a plain {@link SecureRandom}.
     */
    static final class RandomBits {
        private static final int POOL_BYTES = 4096;
        /** /dev/urandom, or null where there is none: then {@link #fallback}. */
        private final SecureRandom os;
        private final SecureRandom fallback;
        /** Guarded by this. */
        private byte[] pool;
        /** Guarded by this: how much of {@link #pool} is handed out. */
        private int used = POOL_BYTES;

        RandomBits() {
            SecureRandom found;
            try {
                found = SecureRandom.getInstance("NativePRNGNonBlocking");
            } catch (NoSuchAlgorithmException e) {
                found = null;
            }
            os = found;
            fallback = found == null ? new SecureRandom() : null;
        }

        /** Fills {@code out} (at most 4 KiB) with random bits no other call gets. */
        synchronized void next(byte[] out) {
            if (os == null) {
                fallback.nextBytes(out);
                return;
            }
            if (used + out.length > POOL_BYTES) {
                // NativePRNGNonBlocking's seed bytes are /dev/urandom's, unmixed
                pool = os.generateSeed(POOL_BYTES);
                used = 0;
            }
            System.arraycopy(pool, used, out, 0, out.length);
            used += out.length;
        }
    }
}
