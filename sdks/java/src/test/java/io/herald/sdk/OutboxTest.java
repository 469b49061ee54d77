package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HeraldOutbox against the real PostgreSQL on 127.0.0.1:5432, in a table of this test's own. */
class OutboxTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private final String table = "herald_outbox_javasdk_" + Long.toHexString(System.nanoTime());
    private Connection db;

    @BeforeEach
    void createTable() throws SQLException {
        db = DriverManager.getConnection(URL);
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id bigserial primary key, channel text not null, type text not null,"
                    + " data jsonb not null, idempotency_key text null, created_at timestamptz not null default now())");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Statement s = db.createStatement()) {
            db.setAutoCommit(true);
            s.execute("DROP TABLE IF EXISTS " + table);
        } finally {
            db.close();
        }
    }

    private record Row(long id, String channel, String type, JsonNode data, String key) {
    }

    private List<Row> rows() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (Connection other = DriverManager.getConnection(URL); Statement s = other.createStatement();
             ResultSet r = s.executeQuery("SELECT id, channel, type, data::text, idempotency_key FROM " + table + " ORDER BY id")) {
            while (r.next()) {
                rows.add(new Row(r.getLong(1), r.getString(2), r.getString(3), Json.MAPPER.readTree(r.getString(4)), r.getString(5)));
            }
        }
        return rows;
    }

    @Test
    void aCommittedInsertIsVisibleAndARolledBackOneIsNot() throws Exception {
        HeraldOutbox outbox = HeraldOutbox.table(table);
        db.setAutoCommit(false);
        long committed = outbox.add(db, "orders#42", "order_paid", Map.of("order", 17, "total", 9.5), "order-17-paid");
        assertThat(rows()).as("not visible before the commit").isEmpty();
        db.commit();
        outbox.add(db, "orders#42", "order_refunded", Map.of("order", 17), null);
        db.rollback();
        long second = outbox.add(db, "news", "headline", "plain text is JSON too", null);
        db.commit();
        List<Row> rows = rows();
        assertThat(rows).extracting(Row::id).containsExactly(committed, second);
        assertThat(rows.get(0).channel()).isEqualTo("orders#42");
        assertThat(rows.get(0).type()).isEqualTo("order_paid");
        assertThat(rows.get(0).data()).isEqualTo(Json.MAPPER.valueToTree(Map.of("order", 17, "total", 9.5)));
        assertThat(rows.get(0).key()).isEqualTo("order-17-paid");
        assertThat(rows.get(1).data().asText()).isEqualTo("plain text is JSON too");
        assertThat(rows.get(1).key()).isNull();
    }

    @Test
    void theDefaultTableIsHeraldOutboxAndTheInsertJoinsTheCallersTransaction() throws Exception {
        assertThat(HeraldOutbox.table(HeraldOutbox.DEFAULT_TABLE).tableName()).isEqualTo("herald_outbox");
        db.setAutoCommit(false);
        // the static form writes herald_outbox: inside this transaction only, created and rolled back here
        try (Statement s = db.createStatement()) {
            s.execute("CREATE TEMP TABLE herald_outbox (id bigserial primary key, channel text, type text, data jsonb,"
                    + " idempotency_key text null, created_at timestamptz default now()) ON COMMIT DROP");
        }
        long id = HeraldOutbox.insert(db, "feed:x", "n", Map.of("a", 1), null);
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT data->>'a' FROM herald_outbox WHERE id = " + id)) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo("1");
        }
        db.rollback();
    }

    @Test
    void aTableNameThatIsNotAnIdentifierIsRefusedBeforeAnySql() {
        for (String bad : List.of("x; DROP TABLE users", "\"quoted\"", "1abc", "a.b.c", "", "a-b", "x".repeat(64))) {
            assertThatThrownBy(() -> HeraldOutbox.table(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identifier");
        }
        assertThat(HeraldOutbox.table("app.events_outbox").tableName()).isEqualTo("app.events_outbox");
    }

    @Test
    void dataThatIsNotJsonAndABadKeyAreRefusedWithoutInserting() throws Exception {
        HeraldOutbox outbox = HeraldOutbox.table(table);
        assertThatThrownBy(() -> outbox.add(db, "feed:x", "n", new Object(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> outbox.add(db, "feed:x", "n", 1, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idempotencyKey");
        assertThat(rows()).isEmpty();
    }
}
