package io.herald.engine;

import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;

/**
 * The outcome of a publish.
 *
 * @param publication the accepted publication; null for a repeated idempotency key (a key records
 *                    only where its publication went, not the publication: every publish has a key)
 * @param position    where the publication went (for a repeated key: where the first one went)
 * @param duplicate   true when the idempotency key had been seen and nothing was published now
 */
public record PublishResult(Publication publication, StreamPosition position, boolean duplicate) {
    public static PublishResult published(Publication publication) {
        return new PublishResult(publication, publication.position(), false);
    }

    /** A repeated idempotency key: nothing was published; {@code first} is where the first publish went. */
    public static PublishResult duplicate(StreamPosition first) {
        return new PublishResult(null, first, true);
    }
}
