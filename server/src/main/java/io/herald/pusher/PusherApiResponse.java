package io.herald.pusher;

import java.nio.charset.StandardCharsets;

/**
 * An answer of the Pusher HTTP API: a JSON object on success, a plain-text explanation on error (as
 * Pusher answers). {@code retryAfter} > 0 asks the caller to wait that many seconds.
 */
public record PusherApiResponse(int status, boolean json, byte[] body, long retryAfter) {
    public static PusherApiResponse ok(byte[] json) {
        return new PusherApiResponse(200, true, json, 0);
    }

    public static PusherApiResponse text(int status, String text, long retryAfter) {
        return new PusherApiResponse(status, false, (text + "\n").getBytes(StandardCharsets.UTF_8), retryAfter);
    }
}
