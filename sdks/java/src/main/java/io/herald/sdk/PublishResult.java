package io.herald.sdk;

/**
 * A publish Herald accepted.
 *
 * @param idempotencyKey the key it went under: the same answer comes back for it within 5 minutes
 */
public record PublishResult(long offset, String epoch, String idempotencyKey) {
}
