package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.auth.PasswordHash;
import io.herald.config.AdminConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP: login, its rate limit, the session cookie, CSRF refusals, caps, and a two-node Redis cluster. */
class AdminApiTest {
    static final String PASSWORD = "correct horse battery";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().defaults(TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                .admin(new AdminConfig(true, PASSWORD, null, Duration.ofHours(1), false)).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    record Res(int status, JsonNode json, HttpResponse<String> raw) {
    }

    static Res call(TestNode n, String method, String path, String body, String cookie, String origin, boolean header)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (header) {
            b.header("X-Herald-Admin", "1");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().startsWith("{") ? JsonCodec.MAPPER.readTree(r.body()) : null;
        return new Res(r.statusCode(), json, r);
    }

    /** Logs in and returns the {@code Cookie} header value. */
    static String login(TestNode n, String password) throws Exception {
        Res r = call(n, "POST", "/admin/api/login", "{\"password\":\"" + password + "\"}", null,
                "http://127.0.0.1:" + n.port(), true);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(200);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void loginSetsAnHttpOnlyStrictSessionCookieThatLogoutEnds() throws Exception {
        Res r = call(node, "POST", "/admin/api/login", "{\"password\":\"" + PASSWORD + "\"}", null, null, true);
        assertThat(r.status()).isEqualTo(200);
        String setCookie = r.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("herald_admin=").contains("HttpOnly", "SameSite=Strict", "Path=/admin")
                .doesNotContain("Secure");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        Res session = call(node, "GET", "/admin/api/session", null, cookie, null, false);
        assertThat(session.status()).isEqualTo(200);
        assertThat(session.json().get("node").asText()).isEqualTo(node.server.nodeId());
        assertThat(session.raw().body()).doesNotContain(TestNode.API_KEY).doesNotContain(TestNode.SECRET);
        assertThat(call(node, "POST", "/admin/api/logout", "", cookie, null, true).status()).isEqualTo(200);
        assertThat(call(node, "GET", "/admin/api/session", null, cookie, null, false).status()).isEqualTo(401);
    }

    @Test
    void everyAdminApiCallWithoutTheSessionCookieIs401() throws Exception {
        List<String[]> calls = List.of(new String[] {"GET", "/admin/api/session"}, new String[] {"GET", "/admin/api/overview"},
                new String[] {"GET", "/admin/api/problems"}, new String[] {"GET", "/admin/api/channels"},
                new String[] {"GET", "/admin/api/presence/news"}, new String[] {"GET", "/admin/api/history/news"},
                new String[] {"GET", "/admin/api/lookup?user=1"}, new String[] {"POST", "/admin/api/publish"},
                new String[] {"POST", "/admin/api/disconnect"}, new String[] {"POST", "/admin/api/unsubscribe"},
                new String[] {"POST", "/admin/api/logout"}, new String[] {"GET", "/admin/api/nonexistent"});
        for (String[] c : calls) {
            for (String cookie : new String[] {null, "herald_admin=forged", "herald_admin=zzzzzzzz.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
                Res r = call(node, c[0], c[1], c[0].equals("POST") ? "{}" : null, cookie, null, true);
                assertThat(r.status()).as(c[0] + " " + c[1] + " with cookie " + cookie).isEqualTo(401);
                assertThat(r.json().get("error").get("code").asText()).isEqualTo("unauthorized");
            }
        }
    }

    @Test
    void aCrossSitePostIsRefusedAndChangesNothing() throws Exception {
        String cookie = login(node, PASSWORD);
        WsClient ws = node.connectAs("victim");
        String disconnect = "{\"user\":\"victim\"}";
        Res noHeader = call(node, "POST", "/admin/api/disconnect", disconnect, cookie, null, false);
        assertThat(noHeader.status()).isEqualTo(403);
        Res otherOrigin = call(node, "POST", "/admin/api/disconnect", disconnect, cookie, "https://evil.example", true);
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(otherOrigin.json().get("error").get("code").asText()).isEqualTo("permission_denied");
        Res loginElsewhere = call(node, "POST", "/admin/api/login", "{\"password\":\"" + PASSWORD + "\"}", null,
                "https://evil.example", true);
        assertThat(loginElsewhere.status()).isEqualTo(403);
        assertThat(node.api("POST", "/api/publish", "{\"channel\":\"x\",\"type\":\"t\",\"data\":{}}").status()).isEqualTo(200);
        ws.expectNothingPending();
        Res same = call(node, "POST", "/admin/api/disconnect", disconnect, cookie, "http://127.0.0.1:" + node.port(), true);
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.json().get("disconnected").asInt()).isEqualTo(1);
        assertThat(ws.awaitClose()).isEqualTo(4010);
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        String cookie = login(node, PASSWORD);
        String big = "{\"channel\":\"x\",\"type\":\"t\",\"data\":\"" + "a".repeat(70_000) + "\"}";
        Res r = call(node, "POST", "/admin/api/publish", big, cookie, null, true);
        assertThat(r.status()).isEqualTo(413);
    }

    @Test
    void wrongPasswordsAreRefusedThenRateLimitedPerAddress() throws Exception {
        TestNode other = TestNode.builder().admin(new AdminConfig(true, null,
                PasswordHash.of(PASSWORD, 10_000).toString(), Duration.ofHours(1), false)).start();
        try {
            for (int i = 0; i < 5; i++) {
                Res r = call(other, "POST", "/admin/api/login", "{\"password\":\"wrong password " + i + "\"}", null, null, true);
                assertThat(r.status()).as("attempt " + i).isEqualTo(401);
                assertThat(r.raw().headers().firstValue("Set-Cookie")).isEmpty();
            }
            Res limited = call(other, "POST", "/admin/api/login", "{\"password\":\"" + PASSWORD + "\"}", null, null, true);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.raw().headers().firstValue("Retry-After")).isPresent();
            assertThat(limited.raw().headers().firstValue("Set-Cookie")).isEmpty();
            assertThat(other.metric("herald_rate_limited_total{limit=\"admin_login\"}")).isEqualTo(1.0);
        } finally {
            other.close();
        }
    }

    @Test
    void aFloodOfAdminRequestsFromOneAddressIsAnswered429() throws Exception {
        TestNode other = TestNode.builder().admin(new AdminConfig(true, PASSWORD, null, Duration.ofHours(1), false)).start();
        try {
            int limited = 0;
            String retryAfter = null;
            for (int i = 0; i < 200 && limited == 0; i++) {
                Res r = call(other, "GET", "/admin/api/session", null, null, null, false);
                if (r.status() == 429) {
                    limited++;
                    retryAfter = r.raw().headers().firstValue("Retry-After").orElse(null);
                } else {
                    assertThat(r.status()).isEqualTo(401);
                }
            }
            assertThat(limited).as("429 within 200 requests (50/s, burst 100)").isEqualTo(1);
            assertThat(retryAfter).isNotNull();
        } finally {
            other.close();
        }
    }

    @Test
    void theHashedPasswordLogsIn() throws Exception {
        TestNode other = TestNode.builder().admin(new AdminConfig(true, null,
                PasswordHash.of(PASSWORD, 10_000).toString(), Duration.ofHours(1), false)).start();
        try {
            assertThat(login(other, PASSWORD)).startsWith("herald_admin=");
        } finally {
            other.close();
        }
    }

    @Test
    void theAdminUiIsNotServedWhenOff() throws Exception {
        TestNode off = TestNode.builder().start();
        try {
            assertThat(call(off, "GET", "/admin", null, null, null, false).status()).isEqualTo(404);
            assertThat(call(off, "POST", "/admin/api/login", "{\"password\":\"" + PASSWORD + "\"}", null, null, true)
                    .status()).isEqualTo(404);
        } finally {
            off.close();
        }
    }

    @Test
    void thePageIsServedOrExplainsHowToBuildIt() throws Exception {
        Res page = call(node, "GET", "/admin", null, null, null, false);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw().headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        if (node.server.adminBuilt()) {
            assertThat(page.raw().body()).contains("<div id=\"root\">");
        } else {
            assertThat(page.raw().body()).contains("not in this build", "./herald build");
        }
        assertThat(call(node, "GET", "/admin/assets/missing.js", null, null, null, false).status()).isEqualTo(404);
    }

    @Test
    void lookupShowsAUsersConnectionsWithTheirSubscriptions() throws Exception {
        String cookie = login(node, PASSWORD);
        String ch = TestNode.unique("room");
        WsClient ws = node.connectAs("alice", ch);
        ws.send("{\"id\":1,\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
        ws.expect("subscribed");
        Res r = call(node, "GET", "/admin/api/lookup?user=alice", null, cookie, null, false);
        assertThat(r.status()).isEqualTo(200);
        JsonNode conns = r.json().get("nodes").get(node.server.nodeId()).get("connections");
        assertThat(conns).hasSize(1);
        assertThat(conns.get(0).get("transport").asText()).isEqualTo("ws");
        assertThat(conns.get(0).get("remote").asText()).startsWith("127.0.0.1:");
        assertThat(conns.get(0).get("channels").get(0).asText()).isEqualTo(ch);
        Res overview = call(node, "GET", "/admin/api/overview", null, cookie, null, false);
        assertThat(overview.json().get("nodes").get(0).get("connections").asLong()).isGreaterThanOrEqualTo(1);
        ws.close();
    }

    @Test
    void theOverviewReportsTheMetersOfWebhooksProxyAndOutbox() throws Exception {
        String cookie = login(node, PASSWORD);
        JsonNode before = call(node, "GET", "/admin/api/overview", null, cookie, null, false).json().get("nodes").get(0);
        assertThat(before.get("integrations").has("outbox")).isFalse();
        node.server.metrics().gauge("herald.outbox.lag.seconds", "test lag", () -> 2.5);
        JsonNode after = call(node, "GET", "/admin/api/overview", null, cookie, null, false).json().get("nodes").get(0);
        assertThat(after.get("integrations").get("outbox").get("herald.outbox.lag.seconds value").asDouble()).isEqualTo(2.5);
    }

    @Test
    void twoNodesOnRedisSeeEachOther() throws Exception {
        String prefix = RedisTestSupport.uniquePrefix("admin");
        AdminConfig admin = new AdminConfig(true, PASSWORD, null, Duration.ofHours(1), false);
        TestNode a = TestNode.builder().admin(admin).engine(() -> RedisEngine.create(RedisTestSupport.config(prefix))).start();
        TestNode b = TestNode.builder().admin(admin).engine(() -> RedisEngine.create(RedisTestSupport.config(prefix))).start();
        try (WsClient bob = b.connectAs("bob")) {
            String cookie = login(a, PASSWORD);
            JsonNode[] nodes = new JsonNode[1];
            Await.until(Duration.ofSeconds(10), "both nodes answer node A's overview", () -> {
                try {
                    nodes[0] = call(a, "GET", "/admin/api/overview", null, cookie, null, false).json().get("nodes");
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return nodes[0].size() == 2 && nodes[0].findValues("answered").stream().allMatch(JsonNode::asBoolean);
            });
            JsonNode onB = nodes[0].get(0).get("node").asText().equals(b.server.nodeId()) ? nodes[0].get(0) : nodes[0].get(1);
            assertThat(onB.get("connections").asLong()).isEqualTo(1);
            assertThat(onB.get("self").asBoolean()).isFalse();
            // a login on node A is a session on node B too (same API key and password): no sticky balancing needed
            assertThat(call(b, "GET", "/admin/api/session", null, cookie, null, false).status()).isEqualTo(200);
            Res lookup = call(a, "GET", "/admin/api/lookup?user=bob", null, cookie, null, false);
            assertThat(lookup.json().get("nodes").get(b.server.nodeId()).get("connections")).hasSize(1);
            assertThat(lookup.json().get("nodes").get(a.server.nodeId()).get("connections")).isEmpty();
            Res cut = call(a, "POST", "/admin/api/disconnect", "{\"user\":\"bob\"}", cookie, null, true);
            assertThat(cut.status()).isEqualTo(200);
            assertThat(bob.awaitClose()).isEqualTo(4010);
        } finally {
            a.close();
            b.close();
            RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        }
    }
}
