package io.herald.it;

import static org.assertj.core.api.Assertions.fail;

import io.herald.cli.Main;
import io.herald.config.OutboxConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/**
 * The local PostgreSQL the outbox tests run against (127.0.0.1:5432, user postgres, database test,
 * trust auth; {@code .ci/run} starts it when it does not answer), and one outbox table of a test's
 * own, made from {@code herald outbox-ddl} and dropped with its dead table by {@link #close}.
 */
final class OutboxDatabase implements AutoCloseable {
    static final String URL = "postgresql://postgres@127.0.0.1:5432/test";
    static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/test";

    final String table;

    private OutboxDatabase(String table) {
        this.table = table;
    }

    /** A new outbox table {@code <name>_<random>} made by {@code herald outbox-ddl}; fails with a hint without PostgreSQL. */
    static OutboxDatabase create(String name) throws SQLException {
        requireLocalPostgres();
        OutboxDatabase db = new OutboxDatabase(name + "_" + UUID.randomUUID().toString().substring(0, 8));
        db.execute(ddl(db.table));
        return db;
    }

    static void requireLocalPostgres() {
        try (Connection c = connect()) {
            c.createStatement().execute("SELECT 1");
        } catch (SQLException e) {
            fail("the outbox tests need PostgreSQL on 127.0.0.1:5432 (user postgres, database test, trust auth;"
                    + " .ci/run starts one): " + e.getMessage());
        }
    }

    static Connection connect() throws SQLException {
        return DriverManager.getConnection(JDBC + "?user=postgres&connectTimeout=5&socketTimeout=30");
    }

    /** What {@code herald outbox-ddl --table <table>} prints. */
    static synchronized String ddl(String table) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int code = Main.run("outbox-ddl", "--table", table);
            if (code != 0) {
                throw new AssertionError("herald outbox-ddl exited " + code);
            }
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Outbox settings for this table. */
    OutboxConfig config(Duration pollInterval) {
        return OutboxConfig.of(URL, "test").withTable(table).withPollInterval(pollInterval);
    }

    /** The {@code outbox:} section of a config file for this table. */
    String yaml(String pollInterval, int batchSize) {
        return "outbox: {url: \"" + URL + "\", table: " + table + ", poll_interval: " + pollInterval
                + ", batch_size: " + batchSize + "}\n";
    }

    void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    long count(String from) {
        try (Connection c = connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + from)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows still waiting in the outbox table. */
    long pending() {
        return count(table);
    }

    @Override
    public void close() throws SQLException {
        execute("DROP TABLE IF EXISTS " + table + ", " + table + "_dead; DROP FUNCTION IF EXISTS " + table + "_notify()");
    }
}
