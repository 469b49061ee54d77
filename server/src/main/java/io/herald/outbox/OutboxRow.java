package io.herald.outbox;

/**
 * One row of the outbox table as read, before any check (every column may be null but {@code id}).
 *
 * @param id             the row's {@code id}: its place in the publishing order
 * @param channel        the channel to publish to
 * @param type           the event name
 * @param data           the {@code jsonb} data as PostgreSQL's text, or null (SQL NULL, or not fetched
 *                       because it is over {@link io.herald.api.BackendPublisher#MAX_DATA_BYTES})
 * @param idempotencyKey the row's own key, or null for {@code outbox:<id>}
 * @param ageSeconds     how long ago the row was inserted, by the database's clock, when read
 * @param dataBytes      the size of {@code data} as text in bytes of UTF-8, fetched or not; 0 for SQL NULL
 */
record OutboxRow(long id, String channel, String type, String data, String idempotencyKey, double ageSeconds,
                 long dataBytes) {
    /** The prefix of the key a row without its own is published under. */
    static final String KEY_PREFIX = "outbox:";

    /** The key this row is published under, on every try: its own, else {@code outbox:<id>}. */
    String key() {
        return idempotencyKey != null ? idempotencyKey : KEY_PREFIX + id;
    }
}
