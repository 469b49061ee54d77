package io.herald.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password stored as PBKDF2-HMAC-SHA256, in the text form
 * {@code pbkdf2-sha256$<iterations>$<salt, base64>$<derived key, base64>} (standard base64, padding
 * optional), made by {@code herald admin-password}. Verification takes the configured iterations
 * each time (deliberately slow), compares in constant time, and uses only the JDK. Immutable.
 */
public final class PasswordHash {
    public static final String SCHEME = "pbkdf2-sha256";
    /** Iterations of new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    static final int MIN_ITERATIONS = 10_000;
    static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] key;

    private PasswordHash(int iterations, byte[] salt, byte[] key) {
        this.iterations = iterations;
        this.salt = salt;
        this.key = key;
    }

    /**
     * Reads the text form.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static PasswordHash parse(String text) {
        String[] parts = text.trim().split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            throw new IllegalArgumentException("must be " + SCHEME
                    + "$<iterations>$<salt base64>$<hash base64> (make one with: herald admin-password)");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("iterations must be an integer (was '" + parts[1] + "')");
        }
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + ".." + MAX_ITERATIONS
                    + " (was " + iterations + ")");
        }
        byte[] salt;
        byte[] key;
        try {
            salt = Base64.getDecoder().decode(parts[2]);
            key = Base64.getDecoder().decode(parts[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("salt and hash must be base64: " + e.getMessage());
        }
        if (salt.length < 16 || key.length < 32) {
            throw new IllegalArgumentException("salt must be at least 16 bytes and hash at least 32 bytes");
        }
        return new PasswordHash(iterations, salt, key);
    }

    /** A new hash of {@code password} with a random 16-byte salt. */
    public static PasswordHash of(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, 32));
    }

    /** Whether {@code password} is the hashed one; takes the hash's iterations whatever the answer. */
    public boolean matches(String password) {
        return MessageDigest.isEqual(derive(password, salt, iterations, key.length), key);
    }

    /** The text form. */
    @Override
    public String toString() {
        return SCHEME + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(key);
    }

    private static byte[] derive(String password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** Constant-time comparison of a plain password, for configs that give {@code admin.password}. */
    public static boolean plainMatches(String given, String expected) {
        return MessageDigest.isEqual(sha256(given), sha256(expected));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
