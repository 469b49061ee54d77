package io.herald.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SQL of one outbox table: the DDL that {@code herald outbox-ddl} prints and the statements of
 * the reader. The table name is checked by {@link io.herald.config.OutboxConfig#table} (lower-case
 * letters, digits, {@code _}), so it is written into SQL unquoted and is its own NOTIFY channel.
 * Immutable.
 *
 * @param table the outbox table, also the NOTIFY channel
 */
public record OutboxSchema(String table) {

    /** The dead-letter table: the row's columns, then when and why it could not be published. */
    public String deadTable() {
        return table + "_dead";
    }

    /**
     * The DDL, in one transaction and idempotent (applying it again changes nothing): the outbox table
     * with the columns of PROTOCOL.md, its dead table, and a trigger that NOTIFYs the reader after
     * every INSERT statement, so a backend's insert wakes it with no call of its own.
     */
    public String ddl() {
        String dead = deadTable();
        String notify = table + "_notify";
        return """
                -- Herald outbox: a backend INSERTs events into %1$s in its own transaction;
                -- one Herald node publishes them in id order and deletes each one the engine accepted.
                BEGIN;
                CREATE TABLE IF NOT EXISTS %1$s (
                    id bigserial PRIMARY KEY,
                    channel text,
                    type text,
                    data jsonb,
                    idempotency_key text NULL,
                    created_at timestamptz DEFAULT now()
                );
                -- rows that can never be published, with the protocol's error code and why
                CREATE TABLE IF NOT EXISTS %2$s (
                    id bigint NOT NULL,
                    channel text,
                    type text,
                    data jsonb,
                    idempotency_key text NULL,
                    created_at timestamptz,
                    failed_at timestamptz NOT NULL DEFAULT now(),
                    error_code text NOT NULL,
                    error_message text NOT NULL
                );
                CREATE INDEX IF NOT EXISTS %2$s_id ON %2$s (id);
                -- wakes the reader (LISTEN %1$s) once per INSERT statement, when its transaction commits
                CREATE OR REPLACE FUNCTION %3$s() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('%1$s', '');
                    RETURN NULL;
                END
                $$;
                DROP TRIGGER IF EXISTS %3$s ON %1$s;
                CREATE TRIGGER %3$s AFTER INSERT ON %1$s FOR EACH STATEMENT EXECUTE FUNCTION %3$s();
                COMMIT;
                """.formatted(table, dead, notify);
    }

    /**
     * The oldest rows, {@code LIMIT ?}, bounded in bytes: each row's age in seconds by the database's
     * clock and its data's size; the data itself only when it is at most {@code maxData} bytes (a larger
     * one is never sent over), and text columns cut to {@code maxText} characters (longer ones are
     * invalid anyway). Rows after the first stop once the data before them adds up to {@code roundBytes}.
     * Columns: id, channel, type, data, idempotency_key, age, data bytes.
     */
    String selectBatch(int maxData, int maxText, long roundBytes) {
        return "SELECT id, channel, type, CASE WHEN bytes > " + maxData + " THEN NULL ELSE d END, idempotency_key, age, bytes"
                + " FROM (SELECT id, left(channel, " + maxText + ") AS channel, left(type, " + maxText + ") AS type, d,"
                + " left(idempotency_key, " + maxText + ") AS idempotency_key,"
                + " EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8 AS age, octet_length(d) AS bytes,"
                + " sum(CASE WHEN octet_length(d) > " + maxData + " THEN 0 ELSE coalesce(octet_length(d), 0) END)"
                + " OVER (ORDER BY id) AS running"
                + " FROM (SELECT * FROM " + table + " ORDER BY id LIMIT ?) AS b CROSS JOIN LATERAL (SELECT data::text AS d) AS x)"
                + " AS r WHERE running - CASE WHEN bytes > " + maxData + " THEN 0 ELSE coalesce(bytes, 0) END < " + roundBytes
                + " ORDER BY id";
    }

    /** Deletes the published rows of {@code = ANY(?)}, a {@code bigint[]}. */
    String deletePublished() {
        return "DELETE FROM " + table + " WHERE id = ANY(?)";
    }

    /** Moves one row to the dead table in one statement (so in one transaction): id, error code, message. */
    String moveToDead() {
        return "WITH moved AS (DELETE FROM " + table + " WHERE id = ? RETURNING *)"
                + " INSERT INTO " + deadTable() + " (id, channel, type, data, idempotency_key, created_at, error_code,"
                + " error_message) SELECT id, channel, type, data, idempotency_key, created_at, ?, ? FROM moved";
    }

    String listen() {
        return "LISTEN " + table;
    }

    /**
     * The session advisory lock's key: the first 8 bytes of SHA-256 of {@code "herald-outbox:" + table},
     * so every node reading the same table contends for the same lock, and other tables (or other
     * applications' locks, which rarely hash to the same 64 bits) do not.
     */
    public long lockKey() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(("herald-outbox:" + table).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(hash, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
