package io.herald.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Inserts events into Herald's PostgreSQL outbox (PROTOCOL.md, "PostgreSQL outbox") inside the
 * caller's transaction: the row becomes visible to Herald's reader when, and only when, the
 * caller commits, so an event is published exactly when the database write it describes happened.
 * It only inserts: it never commits, rolls back or changes the connection's auto-commit.
 *
 * <p>The table has the columns {@code id bigserial primary key, channel text, type text, data jsonb,
 * idempotency_key text null, created_at timestamptz default now()} ({@code herald outbox-ddl}
 * prints them). Herald publishes each row with its {@code idempotency_key}, or {@code outbox:<id>}
 * when it is null. Immutable and thread-safe; the connection is the caller's.
 */
public final class HeraldOutbox {
    public static final String DEFAULT_TABLE = "herald_outbox";
    /** An optionally schema-qualified, unquoted identifier, as Herald's {@code outbox.table} takes it. */
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62})?");
    private static final HeraldOutbox DEFAULT = new HeraldOutbox(DEFAULT_TABLE);

    private final String table;
    private final String sql;

    private HeraldOutbox(String table) {
        this.table = table;
        this.sql = "INSERT INTO " + table + " (channel, type, data, idempotency_key) VALUES (?, ?, ?::jsonb, ?)";
    }

    /** An outbox writing into {@code table}; refused unless it is a plain (optionally schema-qualified) identifier. */
    public static HeraldOutbox table(String table) {
        Objects.requireNonNull(table, "table");
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("outbox table must be an identifier ([A-Za-z_][A-Za-z0-9_]*,"
                    + " at most 63 characters, optionally schema.table), got \"" + table + "\"");
        }
        return new HeraldOutbox(table);
    }

    public String tableName() {
        return table;
    }

    /**
     * Inserts one event into {@value #DEFAULT_TABLE} on {@code connection}, in its current
     * transaction; returns the row's {@code id}. {@code data} is anything Jackson writes (a
     * JsonNode or a JSON-shaped object); {@code idempotencyKey} may be null.
     */
    public static long insert(Connection connection, String channel, String type, Object data, String idempotencyKey)
            throws SQLException {
        return DEFAULT.add(connection, channel, type, data, idempotencyKey);
    }

    /** As {@link #insert}, into this outbox's table. */
    public long add(Connection connection, String channel, String type, Object data, String idempotencyKey)
            throws SQLException {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(type, "type");
        if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > 256)) {
            throw new IllegalArgumentException("idempotencyKey must be 1 to 256 characters, got " + idempotencyKey.length());
        }
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data does not serialize to JSON: " + e.getOriginalMessage(), e);
        }
        try (PreparedStatement insert = connection.prepareStatement(sql, new String[] {"id"})) {
            insert.setString(1, channel);
            insert.setString(2, type);
            insert.setString(3, json);
            insert.setString(4, idempotencyKey);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : -1;
            }
        }
    }
}
