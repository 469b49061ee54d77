package io.herald.webhook;

import io.herald.engine.HookStore;
import java.util.Map;

/**
 * How one hook's deliveries are written: Herald's own format ({@link WebhookBody}) or Pusher's
 * ({@link PusherWebhookBody}). Stateless and thread-safe.
 */
interface WebhookFormat {
    /**
     * The request body delivering {@code batch}, or null when none of its events is for this hook (the
     * batch is then acknowledged without a request).
     */
    byte[] body(HookStore.Batch batch, long nowMillis);

    /** The headers that identify and sign {@code body}. */
    Map<String, String> headers(byte[] body);
}
