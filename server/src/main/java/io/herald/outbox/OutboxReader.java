package io.herald.outbox;

import io.herald.api.BackendPublisher;
import io.herald.config.OutboxConfig;
import io.herald.metrics.HeraldMetrics;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PostgreSQL outbox table and publishes its rows (PROTOCOL.md, "PostgreSQL outbox").
 *
 * <p>One platform thread of its own (JDBC blocks; never an event loop) and one connection. The node
 * that holds the table's session advisory lock is the one reader; the others try to take it every
 * {@code poll_interval}, and get it once the holder's session ends (it stopped, died or lost its
 * connection). The reader LISTENs on the table's channel, so the insert trigger wakes it at once,
 * and looks every {@code poll_interval} anyway. Each round reads up to {@code batch_size} rows in
 * {@code id} order, publishes them ({@link OutboxRound}: a channel's rows one after another, channels
 * at once) through the server API's path under the row's key or {@code outbox:<id>}, then deletes
 * the rows the engine accepted and moves those that can never be published to {@code <table>_dead}.
 * A row is deleted only after the engine accepted it; a crash in between publishes it again under
 * the same key, which the engine drops as a repeat within its idempotency window.
 *
 * <p>While the engine is unreachable or its answers are lost, the reader waits with backoff and tries
 * the same rows again under the same keys. While PostgreSQL is unreachable it reconnects with
 * backoff, logging once per outage. {@link #close} stops it after its current round and releases the
 * lock. Every field but {@link #stopping} is owned by the reader's thread.
 */
public final class OutboxReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboxReader.class);
    /** Deadlines of the JDBC connection: connect, a read on its socket, one statement. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    static final int SOCKET_TIMEOUT_SECONDS = 30;
    static final int STATEMENT_TIMEOUT_MILLIS = 10_000;
    /** Longest single wait for a NOTIFY or a sleep, so {@link #close} is noticed soon. */
    private static final long SLICE_MILLIS = 200;
    /** After {@link #close}, how long a round still in the engine's hands is waited for. */
    private static final long STOP_GRACE_MILLIS = 10_000;
    private static final long JOIN_MILLIS = 15_000;
    /** Bytes of data one round holds at most (beyond its first row), so a batch of large rows stays bounded. */
    static final long ROUND_BYTES = 16L * 1024 * 1024;
    /** Text columns are read up to this many characters: every valid channel, type or key is shorter. */
    static final int MAX_TEXT_CHARS = 1024;

    private final OutboxConfig config;
    private final OutboxSchema schema;
    private final BackendPublisher publisher;
    private final HeraldMetrics.Outbox metrics;
    private final String nodeId;
    private final Thread thread;
    private volatile boolean stopping;

    private Connection conn;
    private boolean holding;
    private final Backoff databaseBackoff = new Backoff(200, 10_000, 100);
    private final Backoff engineBackoff = new Backoff(100, 5_000, 50);
    /** Whether the current database outage was logged. */
    private boolean databaseDown;

    private OutboxReader(OutboxConfig config, BackendPublisher publisher, HeraldMetrics metrics, String nodeId) {
        this.config = config;
        this.schema = new OutboxSchema(config.table());
        this.publisher = publisher;
        this.metrics = metrics.outbox();
        this.nodeId = nodeId;
        this.thread = new Thread(this::run, "herald-outbox");
        this.thread.setDaemon(true);
    }

    /** Starts the reader's thread; it connects, and retries, by itself. */
    public static OutboxReader start(OutboxConfig config, BackendPublisher publisher, HeraldMetrics metrics,
                                     String nodeId) {
        OutboxReader reader = new OutboxReader(config, publisher, metrics, nodeId);
        reader.thread.start();
        return reader;
    }

    private void run() {
        log.info("outbox: node {} reads {} when it holds the lock (poll every {} ms)", nodeId,
                config.table(), config.pollInterval().toMillis());
        while (!stopping) {
            try {
                if (conn == null) {
                    conn = connect();
                }
                if (!holding && !tryLock()) {
                    databaseAnswers();
                    sleep(config.pollInterval().toMillis());
                    continue;
                }
                boolean found = round();
                databaseAnswers();
                if (!found) {
                    awaitNotify(config.pollInterval().toMillis());
                }
            } catch (SQLException e) {
                databaseFailed(e);
            } catch (InterruptedException e) {
                break;
            }
        }
        release();
    }

    /** Takes the lock when free and then LISTENs; false when another node holds it. */
    private boolean tryLock() throws SQLException {
        try (PreparedStatement st = conn.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            st.setLong(1, schema.lockKey());
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                holding = rs.getBoolean(1);
            }
        }
        if (holding) {
            try (Statement st = conn.createStatement()) {
                st.execute(schema.listen());
            }
            metrics.lockHeld(true);
            log.info("outbox: node {} holds the lock of {} and reads it", nodeId, config.table());
        }
        return holding;
    }

    /** One round; true when it found rows (so the next one goes at once), false when the table was empty. */
    private boolean round() throws SQLException, InterruptedException {
        List<OutboxRow> rows = select();
        metrics.lag(rows.isEmpty() ? 0 : Math.max(0, rows.get(0).ageSeconds()));
        if (rows.isEmpty()) {
            return false;
        }
        OutboxRound.Outcome outcome = await(OutboxRound.start(rows, publisher));
        if (outcome == null) {
            return true;
        }
        delete(outcome.published());
        for (OutboxRound.Dead d : outcome.dead()) {
            moveToDead(d);
        }
        if (outcome.failure() != null) {
            if (!engineBackoff.waiting()) {
                log.warn("outbox: publishing paused, retrying with the same idempotency keys: {}",
                        BackendPublisher.classify(outcome.failure()).getMessage());
            }
            sleep(engineBackoff.next());
        } else if (engineBackoff.waiting()) {
            log.info("outbox: publishing again");
            engineBackoff.reset();
        }
        return true;
    }

    /**
     * Waits for a round; null when the reader was stopped and the round did not end within the
     * grace time (nothing of it is deleted then: the next reader publishes it again under the same keys).
     */
    private OutboxRound.Outcome await(CompletableFuture<OutboxRound.Outcome> round) throws InterruptedException {
        long stopDeadline = Long.MAX_VALUE;
        while (true) {
            try {
                return round.get(SLICE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (stopping && stopDeadline == Long.MAX_VALUE) {
                    stopDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
                } else if (System.nanoTime() > stopDeadline) {
                    log.warn("outbox: a round was still in the engine's hands at shutdown; its rows stay in the table");
                    return null;
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("an outbox round never fails", e.getCause());
            }
        }
    }

    private List<OutboxRow> select() throws SQLException {
        List<OutboxRow> rows = new ArrayList<>();
        try (PreparedStatement st = conn.prepareStatement(schema.selectBatch(BackendPublisher.MAX_DATA_BYTES,
                MAX_TEXT_CHARS, ROUND_BYTES))) {
            st.setInt(1, config.batchSize());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new OutboxRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getDouble(6), rs.getLong(7)));
                }
            }
        }
        return rows;
    }

    private void delete(List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement st = conn.prepareStatement(schema.deletePublished())) {
            Array array = conn.createArrayOf("bigint", ids.toArray());
            st.setArray(1, array);
            st.executeUpdate();
            array.free();
        }
        metrics.published(ids.size());
    }

    private void moveToDead(OutboxRound.Dead d) throws SQLException {
        try (PreparedStatement st = conn.prepareStatement(schema.moveToDead())) {
            st.setLong(1, d.row().id());
            st.setString(2, d.code().wire());
            st.setString(3, d.message());
            st.executeUpdate();
        }
        metrics.dead(d.code());
        log.warn("outbox: row {} of {} can never be published ({}: {}); moved to {}", d.row().id(), config.table(),
                d.code().wire(), d.message(), schema.deadTable());
    }

    /** Waits up to {@code millis} for a NOTIFY on the table's channel, in slices so a stop is seen. */
    private void awaitNotify(long millis) throws SQLException {
        PGConnection pg = conn.unwrap(PGConnection.class);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!stopping) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            PGNotification[] got = pg.getNotifications((int) Math.min(left, SLICE_MILLIS));
            if (got != null && got.length > 0) {
                return;
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        p.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", "herald outbox " + nodeId);
        Connection c = DriverManager.getConnection(config.jdbcUrl(), p);
        try (Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MILLIS);
            // the reader never leaves a transaction open, but a session stuck in one must not hold rows' locks
            st.execute("SET idle_in_transaction_session_timeout = " + 2 * STATEMENT_TIMEOUT_MILLIS);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Ends an outage once a query answered on the new connection (not at the connect: a proxy or a
     * starting server can accept a connection and then fail it, which is still the same outage).
     */
    private void databaseAnswers() {
        if (databaseDown) {
            log.info("outbox: PostgreSQL answers again");
            databaseDown = false;
        }
        databaseBackoff.reset();
    }

    /** Drops the connection (and so the lock) and waits before the next try; logs once per outage. */
    private void databaseFailed(SQLException e) {
        if (!databaseDown) {
            if ("42P01".equals(e.getSQLState())) {
                log.error("outbox: table {} does not exist; create it with `herald outbox-ddl --table {} | psql ...`"
                        + " (retrying)", config.table(), config.table());
            } else {
                log.warn("outbox: PostgreSQL failed ({}); reconnecting with backoff", e.getMessage());
            }
            databaseDown = true;
        }
        closeConnection();
        try {
            sleep(databaseBackoff.next());
        } catch (InterruptedException ie) {
            stopping = true;
        }
    }

    private void release() {
        if (conn != null && holding) {
            try (PreparedStatement st = conn.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                st.setLong(1, schema.lockKey());
                st.execute();
            } catch (SQLException e) {
                // closing the session below releases it as well
            }
        }
        closeConnection();
        log.info("outbox: node {} stopped reading", nodeId);
    }

    private void closeConnection() {
        if (holding) {
            holding = false;
            metrics.lockHeld(false);
            metrics.lag(0);
        }
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                // the session is gone either way
            }
            conn = null;
        }
    }

    /** Sleeps in slices, returning early once stopped. */
    private void sleep(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!stopping) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            Thread.sleep(Math.min(left, SLICE_MILLIS));
        }
    }

    /** Stops after the current round, releases the lock and closes the connection; waits up to 15 s. Idempotent. */
    @Override
    public void close() {
        stopping = true;
        if (Thread.currentThread() != thread) {
            try {
                thread.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
