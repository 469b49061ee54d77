package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herald.config.OutboxConfig;
import io.herald.config.RedisConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.outbox.OutboxReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL outbox against a real PostgreSQL (127.0.0.1:5432) and real nodes: rows inserted in
 * backends' transactions reach WebSocket subscribers exactly once in per-channel id order, rows that
 * can never be published go to the dead table, NOTIFY wakes the reader, and an unreachable engine
 * holds rows in the table instead of losing them. Each test has an outbox table of its own.
 */
class OutboxTest {
    private OutboxDatabase db;
    private TestNode node;

    @BeforeEach
    void createTable() throws SQLException {
        db = OutboxDatabase.create("outbox_test");
    }

    @AfterEach
    void dropTable() throws SQLException {
        if (node != null) {
            node.close();
        }
        db.close();
    }

    private TestNode.Builder builder(Duration poll) {
        return TestNode.builder()
                .namespace("ob", TestNode.ns(1000, Duration.ofMinutes(5), false, false, false, false))
                .outbox(db.config(poll));
    }

    @Test
    void theDdlOfHeraldOutboxDdlAppliesCleanlyTwiceAndItsTriggerNotifiesOnInsert() throws Exception {
        db.execute(OutboxDatabase.ddl(db.table));
        db.execute(OutboxDatabase.ddl(db.table));
        assertThat(columns(db.table)).containsExactly("id bigint", "channel text", "type text", "data jsonb",
                "idempotency_key text", "created_at timestamp with time zone");
        assertThat(columns(db.table + "_dead")).containsExactly("id bigint", "channel text", "type text", "data jsonb",
                "idempotency_key text", "created_at timestamp with time zone", "failed_at timestamp with time zone",
                "error_code text", "error_message text");
        try (Connection listener = OutboxDatabase.connect(); Statement st = listener.createStatement()) {
            st.execute("LISTEN " + db.table);
            db.execute("INSERT INTO " + db.table + " (channel, type, data) VALUES ('ob:x', 'evt', '{}')");
            PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications(5000);
            assertThat(got).isNotNull().hasSize(1);
            assertThat(got[0].getName()).isEqualTo(db.table);
        }
        assertThat(db.count(db.table)).isEqualTo(1);
    }

    @Test
    void rowsOfFourConcurrentWritersReachEverySubscriberExactlyOnceInIdOrderAndRolledBackRowsNever()
            throws Exception {
        node = builder(Duration.ofSeconds(1)).start();
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            channels.add("ob:c" + i);
        }
        List<WsClient> subscribers = List.of(subscriber(channels), subscriber(channels));
        int writers = 4;
        int perWriter = 1250;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Map<String, List<Integer>>>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            futures.add(pool.submit(() -> write(writer, perWriter)));
        }
        // each channel has one writer, so its id order is that writer's insert order
        Map<String, List<Integer>> expected = new HashMap<>();
        for (Future<Map<String, List<Integer>>> f : futures) {
            expected.putAll(f.get());
        }
        pool.shutdown();
        assertThat(expected.values().stream().mapToInt(List::size).sum()).isEqualTo(writers * perWriter);
        for (WsClient c : subscribers) {
            Map<String, List<Integer>> got = receive(c, writers * perWriter, Duration.ofSeconds(60));
            assertThat(got).isEqualTo(expected);
            c.expectNothingPending();
            c.close();
        }
        Await.until(Duration.ofSeconds(5), "the table is empty", () -> db.pending() == 0);
        assertThat(node.metric("herald_outbox_published_total")).isEqualTo(writers * perWriter);
        assertThat(db.count(db.table + "_dead")).isZero();
    }

    /**
     * Inserts rows until {@code committed} of them are committed, in transactions of 1-20 rows (single
     * inserts and batches), rolling back about one in six; returns the committed sequence numbers by channel.
     */
    private Map<String, List<Integer>> write(int writer, int committed) throws SQLException {
        Random random = new Random(writer);
        Map<String, List<Integer>> done = new HashMap<>();
        int seq = 0;
        try (Connection c = OutboxDatabase.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + db.table
                     + " (channel, type, data) VALUES (?, 'evt', ?::jsonb)")) {
            c.setAutoCommit(false);
            int count = 0;
            while (count < committed) {
                boolean rollback = random.nextInt(6) == 0;
                int size = Math.min(1 + random.nextInt(20), rollback ? 20 : committed - count);
                Map<String, List<Integer>> txn = new HashMap<>();
                for (int i = 0; i < size; i++) {
                    seq++;
                    String channel = "ob:c" + (writer + 4 * (seq % 2));
                    insert.setString(1, channel);
                    insert.setString(2, "{\"w\":" + writer + ",\"s\":" + seq + ",\"rolled_back\":" + rollback + "}");
                    if (size == 1) {
                        insert.executeUpdate();
                    } else {
                        insert.addBatch();
                    }
                    txn.computeIfAbsent(channel, k -> new ArrayList<>()).add(seq);
                }
                if (size > 1) {
                    insert.executeBatch();
                }
                if (rollback) {
                    c.rollback();
                } else {
                    c.commit();
                    count += size;
                    txn.forEach((ch, list) -> done.computeIfAbsent(ch, k -> new ArrayList<>()).addAll(list));
                }
            }
        }
        return done;
    }

    @Test
    void rowsThatCanNeverBePublishedMoveToTheDeadTableWithTheirReasonAndTheRowsAfterThemArrive() throws Exception {
        node = builder(Duration.ofMillis(500)).start();
        WsClient c = subscriber(List.of("ob:a"));
        db.execute("INSERT INTO " + db.table + " (channel, type, data, idempotency_key) VALUES"
                + " ('ob:a', 'evt', '{\"s\":1}', NULL),"
                + " ('bad channel!', 'evt', '{\"s\":-1}', NULL),"
                + " ('ob:a', 'subscribe', '{\"s\":-2}', NULL),"
                + " ('ob:a', 'evt', jsonb_build_object('s', -3, 'big', repeat('x', 1100000)), NULL),"
                + " ('ob:a', 'evt', '{\"s\":-4}', repeat('k', 300)),"
                + " ('ob:a', 'evt', '{\"s\":-5}', ''),"
                + " ('ob:a', 'evt', '{\"s\":2}', NULL),"
                + " ('ob:a', NULL, '{\"s\":-6}', NULL),"
                + " ('ob:a', 'evt', '{\"s\":3}', 'own-key-1'),"
                // the same key again: published once already, so this row is a repeat and is dropped
                + " ('ob:a', 'evt', '{\"s\":-7}', 'own-key-1'),"
                + " (repeat('c', 5000), 'evt', '{\"s\":-8}', NULL),"
                + " ('ob:a', 'evt', jsonb_build_object('s', 4, 'big', repeat('y', 200000)), NULL)");
        Map<String, List<Integer>> got = receive(c, 4, Duration.ofSeconds(10));
        assertThat(got).isEqualTo(Map.of("ob:a", List.of(1, 2, 3, 4)));
        Await.until(Duration.ofSeconds(5), "the table is empty", () -> db.pending() == 0);
        c.expectNothingPending();
        Map<Integer, String> dead = new LinkedHashMap<>();
        try (Connection conn = OutboxDatabase.connect(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT (data->>'s')::int, error_code, error_message FROM " + db.table
                     + "_dead ORDER BY id")) {
            while (rs.next()) {
                dead.put(rs.getInt(1), rs.getString(2) + ": " + rs.getString(3));
            }
        }
        assertThat(dead.keySet()).containsExactly(-1, -2, -3, -4, -5, -6, -8);
        assertThat(dead.get(-8)).isEqualTo("bad_request: invalid channel: channel name is longer than 255 characters");
        assertThat(dead.get(-1)).startsWith("bad_request: invalid channel");
        assertThat(dead.get(-2)).isEqualTo("bad_request: event name 'subscribe' is a reserved message type");
        assertThat(dead.get(-3)).startsWith("message_too_large: data is larger than 1048576 bytes");
        assertThat(dead.get(-4)).isEqualTo("bad_request: idempotency_key must be 1-256 characters");
        assertThat(dead.get(-5)).isEqualTo("bad_request: idempotency_key must be 1-256 characters");
        assertThat(dead.get(-6)).isEqualTo("bad_request: type is null");
        assertThat(node.metric("herald_outbox_dead_total{code=\"bad_request\"}")).isEqualTo(6);
        assertThat(node.metric("herald_outbox_dead_total{code=\"message_too_large\"}")).isEqualTo(1);
        assertThat(node.metric("herald_outbox_published_total")).isEqualTo(5);
    }

    @Test
    void notifyWakesTheReaderLongBeforeItsThirtySecondPollInterval() throws Exception {
        node = builder(Duration.ofSeconds(30)).start();
        WsClient c = subscriber(List.of("ob:n"));
        Await.until(Duration.ofSeconds(10), "the node holds the lock", () -> node.metric("herald_outbox_lock_held") == 1);
        for (int s = 1; s <= 3; s++) {
            // the reader has looked at the (empty) table and waits: only a NOTIFY can wake it within 30 s
            Await.sleep(300);
            long start = System.nanoTime();
            insert("ob:n", s);
            JsonNode e = c.poll(Duration.ofSeconds(10));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e).as("publication %d", s).isNotNull();
            assertThat(e.get("data").get("s").asInt()).isEqualTo(s);
            assertThat(millis).as("insert to delivery, ms").isLessThan(5_000);
        }
    }

    @Test
    void rowsInsertedWithoutTheNotifyTriggerArriveByPollingEveryPollInterval() throws Exception {
        db.execute("ALTER TABLE " + db.table + " DISABLE TRIGGER " + db.table + "_notify");
        node = builder(Duration.ofMillis(300)).start();
        WsClient c = subscriber(List.of("ob:p"));
        insert("ob:p", 1);
        insert("ob:p", 2);
        assertThat(receive(c, 2, Duration.ofSeconds(10))).isEqualTo(Map.of("ob:p", List.of(1, 2)));
    }

    @Test
    void whileTheEngineIsFrozenOrDownRowsStayInTheTableAndAfterwardsArriveExactlyOnceInOrder() throws Exception {
        Assumptions.assumeTrue(RedisServerProcess.available(), RedisServerProcess.BINARY + " is needed to stop and start a Redis");
        String prefix = RedisTestSupport.uniquePrefix("outbox");
        try (RedisServerProcess redis = RedisServerProcess.launch()) {
            RedisConfig cfg = new RedisConfig(List.of(redis.url()), false, prefix, Duration.ofSeconds(60),
                    Duration.ofSeconds(1));
            node = builder(Duration.ofMillis(200)).engine(() -> RedisEngine.create(cfg)).start();
            for (int s = 1; s <= 3; s++) {
                insert("ob:r", s);
            }
            Await.until(Duration.ofSeconds(10), "the first rows are published", () -> db.pending() == 0);

            // frozen: publishes get no answer (unknown outcome), and Redis runs them all once it resumes
            redis.freeze();
            for (int s = 4; s <= 8; s++) {
                insert("ob:r", s);
            }
            assertPendingStays(5, Duration.ofSeconds(3));
            redis.thaw();
            Await.until(Duration.ofSeconds(20), "the rows held while Redis was frozen are published", () -> db.pending() == 0);
            assertThat(historySeqs("ob:r")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);

            // down: publishes are refused; the restarted Redis has lost everything (no persistence)
            redis.kill();
            for (int s = 9; s <= 12; s++) {
                insert("ob:r", s);
            }
            assertPendingStays(4, Duration.ofSeconds(3));
            redis.start();
            Await.until(Duration.ofSeconds(20), "the rows held while Redis was down are published", () -> db.pending() == 0);
            assertThat(historySeqs("ob:r")).containsExactly(9, 10, 11, 12);
            assertThat(node.metric("herald_outbox_published_total")).isEqualTo(12);
            assertThat(db.count(db.table + "_dead")).isZero();
        }
    }

    @Test
    void whilePostgresqlIsUnreachableTheReaderReconnectsWithBackoffLogsOnceAndThenDeliversEveryRowOnce() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(OutboxReader.class);
        logs.start();
        logger.addAppender(logs);
        int logsBeforeCut;
        List<String> messages;
        try (TcpProxy proxy = new TcpProxy(5432)) {
            node = TestNode.builder()
                    .namespace("ob", TestNode.ns(1000, Duration.ofMinutes(5), false, false, false, false))
                    .outbox(OutboxConfig.of("postgresql://postgres@127.0.0.1:" + proxy.port() + "/test", "test")
                            .withTable(db.table).withPollInterval(Duration.ofMillis(200)))
                    .start();
            WsClient c = subscriber(List.of("ob:d"));
            insert("ob:d", 1);
            assertThat(receive(c, 1, Duration.ofSeconds(10))).isEqualTo(Map.of("ob:d", List.of(1)));
            // the delete follows the delivery: cut only once it is done, so that 5 rows are pending below
            Await.until(Duration.ofSeconds(5), "row 1 deleted", () -> db.pending() == 0);

            // a loaded machine can time a statement out before the cut: only the outage below counts
            logsBeforeCut = logs.list.size();
            proxy.cut();
            Await.until(Duration.ofSeconds(10), "the reader notices and lets the lock go",
                    () -> node.metric("herald_outbox_lock_held") == 0);
            for (int s = 2; s <= 6; s++) {
                insert("ob:d", s);
            }
            assertPendingStays(5, Duration.ofSeconds(2));
            proxy.restore();
            assertThat(receive(c, 5, Duration.ofSeconds(20))).isEqualTo(Map.of("ob:d", List.of(2, 3, 4, 5, 6)));
            Await.until(Duration.ofSeconds(5), "the table is empty", () -> db.pending() == 0);
            c.expectNothingPending();
            assertThat(node.metric("herald_outbox_lock_held")).isEqualTo(1);
            // read before the proxy closes: closing it cuts the reader's connection once more
            synchronized (logs) { // the appender appends under its own lock
                messages = logs.list.subList(logsBeforeCut, logs.list.size()).stream()
                        .map(ILoggingEvent::getFormattedMessage).toList();
            }
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(messages.stream().filter(m -> m.startsWith("outbox: PostgreSQL failed"))).as(messages.toString()).hasSize(1);
        assertThat(messages).contains("outbox: PostgreSQL answers again");
    }

    @Test
    void aNodeThatClosesReleasesTheLockAndAWaitingNodeTakesOverAtOnce() throws Exception {
        node = builder(Duration.ofMillis(200)).start();
        Await.until(Duration.ofSeconds(10), "the first node holds the lock", () -> node.metric("herald_outbox_lock_held") == 1);
        try (TestNode second = builder(Duration.ofMillis(200)).start()) {
            WsClient c = second.connectAs("reader", "ob:*");
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"ob:h\"}").path("type").asText()).isEqualTo("subscribed");
            Await.sleep(600);
            assertThat(second.metric("herald_outbox_lock_held")).as("the lock is taken").isZero();
            node.server.shutdown();
            node = null;
            Await.until(Duration.ofSeconds(5), "the second node takes the lock", () -> second.metric("herald_outbox_lock_held") == 1);
            insert("ob:h", 1);
            assertThat(receive(c, 1, Duration.ofSeconds(10))).isEqualTo(Map.of("ob:h", List.of(1)));
        }
    }

    /** Asserts for {@code time} that exactly {@code rows} rows stay in the table: none is deleted unpublished. */
    private void assertPendingStays(long rows, Duration time) {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            assertThat(db.pending()).isEqualTo(rows);
            Await.sleep(100);
        }
    }

    private List<Integer> historySeqs(String channel) {
        TestNode.Reply r = node.api("GET", "/api/history/" + channel, null);
        assertThat(r.status()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        r.json().get("publications").forEach(p -> out.add(p.get("data").get("s").asInt()));
        return out;
    }

    private void insert(String channel, int s) throws SQLException {
        db.execute("INSERT INTO " + db.table + " (channel, type, data) VALUES ('" + channel + "', 'evt', '{\"s\":" + s + "}')");
    }

    private WsClient subscriber(List<String> channels) {
        WsClient c = node.connectAs("reader", "ob:*");
        for (String ch : channels) {
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").path("type").asText())
                    .isEqualTo("subscribed");
        }
        return c;
    }

    /** The {@code s} of each {@code evt} publication by channel, in arrival order, until {@code total} arrived. */
    static Map<String, List<Integer>> receive(WsClient c, int total, Duration timeout) {
        Map<String, List<Integer>> got = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        int n = 0;
        while (n < total) {
            JsonNode e = c.poll(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (e == null) {
                throw new AssertionError("got " + n + " of " + total + " publications within " + timeout + ": " + got);
            }
            if ("evt".equals(e.path("type").asText())) {
                assertThat(e.get("data").path("rolled_back").asBoolean()).as("a rolled-back row").isFalse();
                got.computeIfAbsent(e.get("channel").asText(), k -> new ArrayList<>()).add(e.get("data").get("s").asInt());
                n++;
            }
        }
        return got;
    }

    private static List<String> columns(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = OutboxDatabase.connect(); PreparedStatement st = c.prepareStatement(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return out;
    }
}
