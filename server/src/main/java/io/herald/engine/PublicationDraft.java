package io.herald.engine;

import io.herald.protocol.RawJson;

/**
 * A publication before the engine has given it an offset.
 *
 * @param event          event name, already validated
 * @param data           any JSON value, as the publisher wrote it
 * @param user           publishing user for client publications, else null
 * @param idempotencyKey de-duplication key, or null
 * @param exclude        the connection that must not receive it, or null (see {@link io.herald.protocol.Publication#exclude()})
 */
public record PublicationDraft(String event, RawJson data, String user, String idempotencyKey, String exclude) {
    /** A draft every subscriber receives. */
    public PublicationDraft(String event, RawJson data, String user, String idempotencyKey) {
        this(event, data, user, idempotencyKey, null);
    }
}
