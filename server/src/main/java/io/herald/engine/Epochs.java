package io.herald.engine;

import java.security.SecureRandom;

/** Creates epochs: 8 random characters of {@code [A-Za-z0-9]}. Thread-safe. */
public final class Epochs {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {
    }

    public static String next() {
        char[] out = new char[8];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
