package io.herald.engine;

import io.herald.protocol.Publication;

/**
 * The outcome of a publish.
 *
 * @param publication the accepted publication (for a repeated idempotency key: the first one)
 * @param duplicate   true when the idempotency key had been seen and nothing was published now
 */
public record PublishResult(Publication publication, boolean duplicate) {
}
