package io.herald.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256, the one MAC Herald signs and derives with: webhook bodies, Pusher channel, user
 * and request signatures, admin session tokens, dev-mode keys. Stateless and thread-safe (a new
 * {@link Mac} per call: they are cheap and not thread-safe).
 */
public final class HmacSha256 {
    private static final String ALGORITHM = "HmacSHA256";

    private HmacSha256() {
    }

    /** The MAC of {@code data} under {@code key}. */
    public static byte[] of(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    /** The MAC of {@code data} under the UTF-8 bytes of {@code secret}. */
    public static byte[] of(String secret, byte[] data) {
        return of(secret.getBytes(StandardCharsets.UTF_8), data);
    }
}
