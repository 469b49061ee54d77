package io.herald.engine;

import io.herald.protocol.RawJson;

/**
 * A publication before the engine has given it an offset.
 *
 * @param event          event name, already validated
 * @param data           any JSON value, as the publisher wrote it
 * @param user           publishing user for client publications, else null
 * @param idempotencyKey de-duplication key, or null
 * @param excludeClient  the client id of the one connection not to deliver it to, or null (see
 *                       {@link io.herald.protocol.Publication#excludeClient()})
 */
public record PublicationDraft(String event, RawJson data, String user, String idempotencyKey, String excludeClient) {
    /** A publication for every subscriber. */
    public PublicationDraft(String event, RawJson data, String user, String idempotencyKey) {
        this(event, data, user, idempotencyKey, null);
    }
}
