package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.herald.config.LimitsConfig;
import io.herald.config.ProxyConfig;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.JsonCodec;
import io.herald.proxy.ProxyKind;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The match tracker of use case 001 on Herald: the {@code match} namespace has {@code publish_proxy},
 * and the backend (a real HTTP server in the test, with its own tables in the local PostgreSQL)
 * decides every client publish from its database at the moment of the action: only the match's
 * referee may publish, the event is rewritten (a per-match {@code seq}, {@code recorded_at}, the
 * score normalized) and stored before the answer. Spectators' publishes are refused and leave no
 * trace; every accepted event is in the table, in history and at the spectators' sockets, with the
 * rewritten data, in one order; a backend that is too slow or unreachable for one publish gives
 * {@code not_available} and that event is neither stored nor published. The use case's limit of 3
 * connections per user holds beside it.
 */
class MatchTrackerProxyTest {
    /** Herald's deadline on a publish call. */
    private static final Duration PROXY_TIMEOUT = Duration.ofSeconds(1);
    /**
     * The backend's own budget, well inside Herald's deadline: past it the backend stores nothing, since
     * Herald may have given up and told the client that nothing was done.
     */
    private static final long BUDGET_MILLIS = 600;
    private static final Set<String> EVENTS = Set.of("start", "pause", "resume", "score", "end");

    private static String suffix;
    private static String roles;
    private static String events;
    private static TestBackend backend;
    private static TcpProxy link;
    private static TestNode node;
    /** When set, the next publish call meets a slow database (longer than Herald's deadline). */
    private static final AtomicBoolean slowDatabase = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        OutboxDatabase.requireLocalPostgres();
        suffix = UUID.randomUUID().toString().substring(0, 8);
        roles = "match_roles_" + suffix;
        events = "match_events_" + suffix;
        sql("CREATE TABLE " + roles + " (match_id text, user_id text, role text, PRIMARY KEY (match_id, user_id));"
                + "CREATE TABLE " + events + " (id bigserial PRIMARY KEY, match_id text NOT NULL, seq int NOT NULL,"
                + " event text NOT NULL, user_id text NOT NULL, data jsonb NOT NULL,"
                + " recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (match_id, seq))");
        backend = new TestBackend();
        backend.on("/publish", MatchTrackerProxyTest::decide);
        link = new TcpProxy(backend.url("/").getPort());
        ProxyConfig proxy = ProxyConfig.NONE
                .withUrl(ProxyKind.PUBLISH, URI.create("http://127.0.0.1:" + link.port() + "/publish"))
                .withTimeout(PROXY_TIMEOUT);
        node = TestNode.builder().proxy(proxy)
                .limits(new LimitsConfig(0, 3, 0, 0))
                .namespace("match", TestNode.ns(100, Duration.ofMinutes(5), false, false, true, false)
                        .withProxies(false, true))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (node != null) {
            node.close();
        }
        if (link != null) {
            link.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (roles != null) {
            sql("DROP TABLE IF EXISTS " + roles + ", " + events);
        }
    }

    // ---- the backend: the match tracker's publish endpoint ----

    /** {@code POST /publish}: the referee check, the rewrite and the INSERT, in one transaction, inside the budget. */
    private static void decide(HttpExchange ex, JsonNode call) throws Exception {
        long started = System.nanoTime();
        String user = call.path("user").asText();
        String channel = call.path("channel").asText();
        String event = call.path("event").asText();
        String match = channel.substring(channel.indexOf(':') + 1);
        try (Connection c = OutboxDatabase.connect()) {
            c.setAutoCommit(false);
            if (slowDatabase.getAndSet(false)) {
                try (PreparedStatement st = c.prepareStatement("SELECT pg_sleep(?)")) {
                    st.setDouble(1, PROXY_TIMEOUT.toMillis() * 1.5 / 1000);
                    st.execute();
                }
            }
            String role = null;
            try (PreparedStatement st = c.prepareStatement("SELECT role FROM " + roles + " WHERE match_id = ? AND user_id = ?")) {
                st.setString(1, match);
                st.setString(2, user);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        role = rs.getString(1);
                    }
                }
            }
            if (!"referee".equals(role)) {
                answer(ex, "{\"error\":{\"code\":\"" + ErrorCode.PERMISSION_DENIED.wire()
                        + "\",\"message\":\"only the referee of match " + match + " may do that\"}}");
                return;
            }
            if (!EVENTS.contains(event)) {
                answer(ex, "{\"error\":{\"code\":\"" + ErrorCode.BAD_REQUEST.wire() + "\",\"message\":\"unknown match event\"}}");
                return;
            }
            ObjectNode data = JsonCodec.MAPPER.createObjectNode();
            data.put("match", match);
            data.put("by", user);
            if (event.equals("score")) {
                data.set("score", normalizedScore(call.path("data")));
            }
            try (PreparedStatement st = c.prepareStatement("INSERT INTO " + events + " (match_id, seq, event, user_id, data)"
                    + " SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?::jsonb FROM " + events + " WHERE match_id = ?"
                    + " RETURNING seq, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")) {
                st.setString(1, match);
                st.setString(2, event);
                st.setString(3, user);
                st.setString(4, data.toString());
                st.setString(5, match);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    data.put("seq", rs.getInt(1));
                    data.put("recorded_at", rs.getString(2));
                }
            }
            // the stored row is what is published: the same JSON, seq and time included
            try (PreparedStatement st = c.prepareStatement("UPDATE " + events + " SET data = ?::jsonb WHERE match_id = ? AND seq = ?")) {
                st.setString(1, data.toString());
                st.setString(2, match);
                st.setInt(3, data.path("seq").asInt());
                st.executeUpdate();
            }
            if ((System.nanoTime() - started) / 1_000_000 > BUDGET_MILLIS) {
                c.rollback();
                String late = "{\"error\":{\"code\":\"" + ErrorCode.NOT_AVAILABLE.wire() + "\",\"message\":\"too slow\"}}";
                TestBackend.send(ex, 503, late.getBytes(StandardCharsets.UTF_8), "application/json");
                return;
            }
            c.commit();
            answer(ex, "{\"result\":{\"data\":" + data + "}}");
        }
    }

    /** {@code {"home":"2","away":1}} or {@code {"score":"2-1"}} → {@code {"home":2,"away":1}}. */
    private static ObjectNode normalizedScore(JsonNode in) {
        int home;
        int away;
        if (in.path("score").isTextual()) {
            String[] parts = in.path("score").asText().split("-");
            home = Integer.parseInt(parts[0].trim());
            away = Integer.parseInt(parts[1].trim());
        } else {
            home = Integer.parseInt(in.path("home").asText());
            away = Integer.parseInt(in.path("away").asText());
        }
        ObjectNode out = JsonCodec.MAPPER.createObjectNode();
        out.put("home", home);
        out.put("away", away);
        return out;
    }

    private static void answer(HttpExchange ex, String json) throws IOException {
        TestBackend.send(ex, 200, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    // ---- the tests ----

    /** What the referee sends, in order: the client's shapes vary, the backend normalizes them. */
    private static final List<String[]> MATCH = List.of(
            new String[] {"start", "{}"},
            new String[] {"score", "{\"home\":\"1\",\"away\":0}"},
            new String[] {"score", "{\"score\":\"1-1\"}"},
            new String[] {"pause", "{\"reason\":\"half time\"}"},
            new String[] {"resume", "{}"},
            new String[] {"score", "{\"home\":2,\"away\":\"1\"}"},
            new String[] {"score", "{\"score\":\" 3 - 1 \"}"},
            new String[] {"pause", "{}"},
            new String[] {"resume", "{}"},
            new String[] {"score", "{\"home\":3,\"away\":2}"},
            new String[] {"end", "{}"});
    /** The score each accepted score event must carry, in order. */
    private static final List<String> SCORES = List.of("{\"home\":1,\"away\":0}", "{\"home\":1,\"away\":1}",
            "{\"home\":2,\"away\":1}", "{\"home\":3,\"away\":1}", "{\"home\":3,\"away\":2}");

    @Test
    void onlyTheRefereePublishesAndEveryAcceptedEventIsStoredAndPublishedInOneOrder() throws Exception {
        String match = "m" + System.nanoTime();
        String channel = "match:" + match;
        String referee = "ref-" + match;
        String fan1 = "fan1-" + match;
        String fan2 = "fan2-" + match;
        sql("INSERT INTO " + roles + " VALUES ('" + match + "','" + referee + "','referee'),"
                + " ('" + match + "','" + fan1 + "','spectator'), ('" + match + "','" + fan2 + "','spectator')");
        int spectatorTries = 8;
        try (WsClient ref = node.connectAs(referee);
             WsClient a = node.connectAs(fan1);
             WsClient b = node.connectAs(fan2)) {
            for (WsClient fan : List.of(a, b)) {
                assertThat(fan.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}").path("type").asText())
                        .isEqualTo("subscribed");
            }
            // the referee pipelines the whole match while both spectators try to publish their own scores
            CompletableFuture<Void> refSends = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < MATCH.size(); i++) {
                    ref.send(publish(100 + i, channel, MATCH.get(i)[0], MATCH.get(i)[1]));
                }
            });
            List<CompletableFuture<Void>> fanSends = new ArrayList<>();
            for (WsClient fan : List.of(a, b)) {
                fanSends.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < spectatorTries; i++) {
                        fan.send(publish(200 + i, channel, i % 2 == 0 ? "score" : "end", "{\"home\":9,\"away\":0}"));
                    }
                }));
            }
            refSends.join();
            fanSends.forEach(CompletableFuture::join);

            // the referee: every event published, in the order sent, offsets 1..n
            for (int i = 0; i < MATCH.size(); i++) {
                JsonNode r = ref.next();
                assertThat(r.path("type").asText()).as("reply %d: %s", i, r).isEqualTo("published");
                assertThat(r.path("id").asLong()).isEqualTo(100 + i);
                assertThat(r.path("offset").asLong()).isEqualTo(i + 1);
            }

            // the table: the referee's events only, seq 1..n, in the order sent, with the rewritten data
            List<Row> rows = rows(match);
            assertThat(rows).hasSize(MATCH.size());
            assertThat(rows).extracting(Row::event).containsExactlyElementsOf(MATCH.stream().map(e -> e[0]).toList());
            assertThat(rows).extracting(Row::user).containsOnly(referee);
            assertThat(rows).extracting(Row::seq).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, MATCH.size()).boxed().toList());
            assertThat(rows.stream().filter(r -> r.event().equals("score")).map(r -> r.data().path("score")))
                    .containsExactlyElementsOf(SCORES.stream().map(MatchTrackerProxyTest::json).toList());
            for (Row row : rows) {
                assertThat(row.data().path("seq").asInt()).isEqualTo(row.seq());
                assertThat(row.data().path("recorded_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
                assertThat(row.data().path("by").asText()).isEqualTo(referee);
            }

            // history: the same events, the same data, the same order
            JsonNode history = history(channel);
            assertThat(history.path("offset").asLong()).isEqualTo(MATCH.size());
            List<JsonNode> pubs = new ArrayList<>();
            history.path("publications").forEach(pubs::add);
            assertSameAsTable(pubs, rows, referee);

            // each spectator: its own publishes refused with permission_denied (not temporary), the
            // referee's publications in the table's order, and nothing else
            for (WsClient fan : List.of(a, b)) {
                List<JsonNode> got = new ArrayList<>();
                List<JsonNode> refused = new ArrayList<>();
                while (got.size() < MATCH.size() || refused.size() < spectatorTries) {
                    JsonNode n = fan.next();
                    if (n.path("type").asText().equals("error")) {
                        refused.add(n);
                    } else {
                        got.add(n);
                    }
                }
                fan.expectNothingPending();
                assertSameAsTable(got, rows, referee);
                assertThat(refused).extracting(n -> n.path("id").asLong())
                        .containsExactlyElementsOf(LongStream.range(200, 200 + spectatorTries).boxed().toList());
                for (JsonNode e : refused) {
                    assertThat(e.path("code").asText()).isEqualTo("permission_denied");
                    assertThat(e.path("temporary").asBoolean()).isFalse();
                    assertThat(e.path("message").asText()).isEqualTo("only the referee of match " + match + " may do that");
                }
            }
            // the backend was asked for every publish, spectators' included, and nothing of theirs was stored
            List<TestBackend.Call> calls = backend.drain();
            assertThat(calls).hasSize(MATCH.size() + 2 * spectatorTries);
            assertThat(calls.stream().filter(c -> !c.body().path("user").asText().equals(referee))).hasSize(2 * spectatorTries);

            // a slow database, past Herald's deadline: not_available, and the event is neither stored nor published
            slowDatabase.set(true);
            JsonNode slow = ref.call(publish(300, channel, "score", "{\"home\":4,\"away\":2}"));
            assertThat(slow.path("type").asText()).isEqualTo("error");
            assertThat(slow.path("id").asLong()).isEqualTo(300);
            assertThat(slow.path("code").asText()).isEqualTo("not_available");
            assertThat(slow.path("temporary").asBoolean()).isTrue();
            Await.until(Duration.ofSeconds(5), "the slow call ended at the backend", () -> backend.inFlight.get() == 0);
            assertThat(backend.drain()).hasSize(1);

            // the backend unreachable: not_available too, and nothing reaches it
            link.cut();
            JsonNode down = ref.call(publish(301, channel, "score", "{\"home\":4,\"away\":2}"));
            assertThat(down.path("code").asText()).isEqualTo("not_available");
            assertThat(down.path("temporary").asBoolean()).isTrue();
            assertThat(backend.drain()).isEmpty();
            link.restore();

            assertThat(rows(match)).hasSize(MATCH.size());
            assertThat(history(channel).path("offset").asLong()).isEqualTo(MATCH.size());
            a.expectNothingPending();
            b.expectNothingPending();

            // back up: the referee's retry is accepted as the next event, seq and offset following on
            JsonNode again = ref.call(publish(302, channel, "score", "{\"home\":4,\"away\":2}"));
            assertThat(again.path("type").asText()).as("%s", again).isEqualTo("published");
            assertThat(again.path("offset").asLong()).isEqualTo(MATCH.size() + 1);
            List<Row> after = rows(match);
            assertThat(after).hasSize(MATCH.size() + 1);
            Row last = after.get(after.size() - 1);
            assertThat(last.seq()).isEqualTo(MATCH.size() + 1);
            assertThat(last.data().path("score")).isEqualTo(json("{\"home\":4,\"away\":2}"));
            for (WsClient fan : List.of(a, b)) {
                JsonNode p = fan.expect("score");
                assertThat(p.path("data")).isEqualTo(last.data());
                assertThat(p.path("offset").asLong()).isEqualTo(MATCH.size() + 1);
            }
        }
    }

    @Test
    void aUsersFourthConnectionIsClosedAtTheLimitOfThree() {
        String user = "ref-limit-" + System.nanoTime();
        try (WsClient one = node.connectAs(user);
             WsClient two = node.connectAs(user);
             WsClient three = node.connectAs(user);
             WsClient four = node.connect(node.token(user, List.of(), List.of(), List.of()))) {
            JsonNode d = four.expect("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4008);
            assertThat(d.path("reconnect").asBoolean()).isTrue();
            assertThat(four.awaitClose()).isEqualTo(4008);
            // the first three go on; another user is not affected
            for (WsClient c : List.of(one, two, three)) {
                c.expectNothingPending();
            }
            try (WsClient other = node.connectAs("other-" + user)) {
                other.expectNothingPending();
            }
            // once one is closed, the user may connect again (as soon as the node has seen it go)
            one.close();
            Await.until(Duration.ofSeconds(5), "a fourth connection is let in after one closed", () -> {
                WsClient again = node.connect(node.token(user, List.of(), List.of(), List.of()));
                try {
                    return again.next().path("type").asText().equals("connected");
                } finally {
                    again.close();
                }
            });
        }
    }

    // ---- helpers ----

    private record Row(int seq, String event, String user, JsonNode data) {
    }

    /** Publications as pushed or in history, against the table's rows: same order, event, data and user. */
    private static void assertSameAsTable(List<JsonNode> pubs, List<Row> rows, String referee) {
        assertThat(pubs).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode p = pubs.get(i);
            assertThat(p.path("type").asText()).as("publication %d: %s", i, p).isEqualTo(rows.get(i).event());
            assertThat(p.path("offset").asLong()).isEqualTo(i + 1);
            assertThat(p.path("data")).as("publication %d", i).isEqualTo(rows.get(i).data());
            assertThat(p.path("user").asText()).isEqualTo(referee);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String publish(long id, String channel, String event, String data) {
        return "{\"type\":\"publish\",\"id\":" + id + ",\"channel\":\"" + channel + "\",\"event\":\"" + event
                + "\",\"data\":" + data + "}";
    }

    private static JsonNode history(String channel) {
        TestNode.Reply r = node.api("GET", "/api/history/" + channel.replace(":", "%3A"), null);
        assertThat(r.status()).isEqualTo(200);
        return r.json();
    }

    private static List<Row> rows(String match) throws Exception {
        List<Row> out = new ArrayList<>();
        try (Connection c = OutboxDatabase.connect();
             PreparedStatement st = c.prepareStatement("SELECT seq, event, user_id, data::text FROM " + events
                     + " WHERE match_id = ? ORDER BY id")) {
            st.setString(1, match);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getInt(1), rs.getString(2), rs.getString(3), JsonCodec.MAPPER.readTree(rs.getString(4))));
                }
            }
        }
        return out;
    }

    private static void sql(String statements) throws SQLException {
        try (Connection c = OutboxDatabase.connect(); Statement st = c.createStatement()) {
            st.execute(statements);
        }
    }
}
