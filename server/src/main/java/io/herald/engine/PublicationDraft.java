package io.herald.engine;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A publication before the engine has given it an offset.
 *
 * @param event          event name, already validated
 * @param data           any JSON value
 * @param user           publishing user for client publications, else null
 * @param idempotencyKey de-duplication key, or null
 */
public record PublicationDraft(String event, JsonNode data, String user, String idempotencyKey) {
}
