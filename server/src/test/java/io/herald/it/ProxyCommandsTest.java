package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ProxyConfig;
import io.herald.proxy.ProxyKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The subscribe, publish and rpc proxies against a real backend (an HTTP server in the test), with
 * token connections: what each kind sends, its result, every failure of the mapping, and a slow
 * backend under a burst (the pending cap answers {@code too_many_requests}; other namespaces and
 * kinds go on unhindered). The rpc command also over {@code POST /rpc}, as SSE and polling clients
 * send it, with a bearer token or only a cookie (through the connect proxy).
 */
class ProxyCommandsTest {
    private static TestBackend backend;
    private static TestNode node;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        ProxyConfig proxy = ProxyConfig.NONE
                .withUrl(ProxyKind.CONNECT, backend.url("/connect"))
                .withUrl(ProxyKind.SUBSCRIBE, backend.url("/subscribe"))
                .withUrl(ProxyKind.PUBLISH, backend.url("/publish"))
                .withUrl(ProxyKind.RPC, backend.url("/rpc"))
                .withTimeout(Duration.ofSeconds(1))
                .withHeaders(List.of("cookie"), Map.of("x-herald-proxy", "s3cret"))
                .withCaps(4, 64 * 1024);
        node = TestNode.builder().proxy(proxy)
                .namespace("sp", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false).withProxies(true, false))
                .namespace("pp", TestNode.ns(100, Duration.ofMinutes(5), false, false, true, false).withProxies(false, true))
                .namespace("open", TestNode.ns(100, Duration.ofMinutes(5), false, false, true, false))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
        backend.close();
    }

    @BeforeEach
    void reset() {
        backend.on("/connect", TestBackend.result("{\"user\":\"cookie-user\"}"));
        backend.on("/subscribe", TestBackend.result("{}"));
        backend.on("/publish", TestBackend.result("{}"));
        backend.on("/rpc", TestBackend.result("{\"data\":null}"));
        backend.drain();
    }

    /** The failures and refusals every command kind maps the same way: answer, error code, temporary. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("403 without the answer shape", TestBackend.status(403, "nope"), "permission_denied", false),
                Arguments.of("an error answer", TestBackend.json(200,
                        "{\"error\":{\"code\":\"limit_exceeded\",\"message\":\"match is full\",\"temporary\":false}}"),
                        "limit_exceeded", false),
                Arguments.of("a timeout", TestBackend.after(Duration.ofMillis(1500), TestBackend.result("{}")),
                        "not_available", true),
                Arguments.of("a 5xx", TestBackend.json(503, "{\"result\":{}}"), "not_available", true),
                Arguments.of("a malformed answer", TestBackend.status(200, "ok"), "not_available", true),
                Arguments.of("an oversized answer", TestBackend.oversized(70_000), "not_available", true));
    }

    @Test
    void aSubscribeInAProxyNamespaceIsAllowedByTheBackendWithItsInfoAndData() {
        String channel = TestNode.unique("sp:room");
        backend.on("/subscribe", TestBackend.result("{\"info\":{\"seat\":\"A1\"},\"data\":{\"score\":[2,1]}}"));
        // the token allows no channel: the backend alone decides in this namespace
        try (WsClient c = node.connectAs("alice")) {
            JsonNode sub = c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\",\"data\":{\"why\":\"watch\"}}");
            assertThat(sub.path("type").asText()).isEqualTo("subscribed");
            assertThat(sub.path("data").toString()).isEqualTo("{\"score\":[2,1]}");
            TestBackend.Call call = backend.next();
            assertThat(call.path()).isEqualTo("/subscribe");
            assertThat(call.body().path("user").asText()).isEqualTo("alice");
            assertThat(call.body().path("channel").asText()).isEqualTo(channel);
            assertThat(call.body().path("data").toString()).isEqualTo("{\"why\":\"watch\"}");
            assertThat(call.body().path("client").asText()).isNotEmpty();
            assertThat(call.header("x-herald-proxy")).isEqualTo("s3cret");
            assertThat(call.header("cookie")).isNull();
            // presence shows the backend's info for this channel; history is allowed to the admitted subscriber
            JsonNode presence = c.call("{\"type\":\"presence\",\"id\":2,\"channel\":\"" + channel + "\"}");
            assertThat(presence.path("clients").get(0).path("info").toString()).isEqualTo("{\"seat\":\"A1\"}");
            assertThat(c.call("{\"type\":\"history\",\"id\":3,\"channel\":\"" + channel + "\"}").path("type").asText())
                    .isEqualTo("history");
            node.publish(channel, "goal", "{\"n\":1}");
            assertThat(c.expect("goal").path("data").path("n").asInt()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "subscribe: {0} -> {2}")
    @MethodSource("failures")
    void aSubscribeTheBackendDoesNotAllowGetsTheMappedError(String what, TestBackend.Answer answer, String code,
                                                           boolean temporary) {
        backend.on("/subscribe", answer);
        String channel = TestNode.unique("sp:f");
        try (WsClient c = node.connectAs("alice")) {
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":4,\"channel\":\"" + channel + "\"}");
            assertThat(e.path("type").asText()).isEqualTo("error");
            assertThat(e.path("id").asLong()).isEqualTo(4);
            assertThat(e.path("code").asText()).isEqualTo(code);
            assertThat(e.path("temporary").asBoolean()).isEqualTo(temporary);
            node.publish(channel, "goal", "{}");
            c.expectNothingPending();
            assertThat(c.call("{\"type\":\"presence\",\"id\":5,\"channel\":\"" + channel + "\"}").path("code").asText())
                    .isEqualTo("permission_denied");
        }
    }

    @Test
    void aSubscribeResultWhoseInfoIsNotAnObjectIsMalformed() {
        backend.on("/subscribe", TestBackend.result("{\"info\":\"seat A1\"}"));
        String counter = "herald_proxy_calls_total{kind=\"subscribe\",outcome=\"malformed\"}";
        double before = node.metric(counter);
        try (WsClient c = node.connectAs("alice")) {
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"sp:info\"}");
            assertThat(e.path("code").asText()).isEqualTo("not_available");
            assertThat(e.path("temporary").asBoolean()).isTrue();
        }
        Await.until(Duration.ofSeconds(5), "the malformed result counted", () -> node.metric(counter) == before + 1);
    }

    @Test
    void aPublishResultWhoseDataBreaksTheWiresLimitsIsMalformedAndNothingIsPublished() {
        String deep = "[".repeat(200) + "]".repeat(200);
        backend.on("/publish", TestBackend.result("{\"data\":" + deep + "}"));
        String channel = TestNode.unique("pp:deep");
        try (WsClient c = node.connectAs("alice")) {
            JsonNode e = c.call("{\"type\":\"publish\",\"id\":1,\"channel\":\"" + channel + "\",\"event\":\"e\",\"data\":{}}");
            assertThat(e.path("code").asText()).isEqualTo("not_available");
        }
        assertThat(node.api("GET", "/api/history/" + channel.replace(":", "%3A"), null).json().path("offset").asLong())
                .isZero();
    }

    @Test
    void theUserLimitedRuleIsCheckedBeforeTheSubscribeProxyWhichCannotOverrideIt() {
        try (WsClient c = node.connectAs("alice")) {
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"sp:inbox#bob\"}");
            assertThat(e.path("code").asText()).isEqualTo("permission_denied");
            assertThat(c.call("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"sp:inbox#alice\"}").path("type").asText())
                    .isEqualTo("subscribed");
        }
        assertThat(backend.drain()).extracting(call -> call.body().path("channel").asText()).containsExactly("sp:inbox#alice");
    }

    @Test
    void aSubscribeDisconnectAnswerEndsTheConnectionAsTheBackendSays() {
        backend.on("/subscribe", TestBackend.json(200, "{\"disconnect\":{\"code\":4010,\"reason\":\"banned\"}}"));
        try (WsClient c = node.connectAs("alice")) {
            c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"sp:x\"}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4010);
            assertThat(d.path("reason").asText()).isEqualTo("banned");
            assertThat(d.path("reconnect").asBoolean()).isFalse();
            assertThat(c.awaitClose()).isEqualTo(4010);
        }
    }

    /** Allows channels whose name contains "ok", refuses the rest with the backend's message. */
    private static final TestBackend.Answer BY_NAME = (ex, in) -> {
        String body = in.path("channel").asText().contains("ok") ? "{\"result\":{}}"
                : "{\"error\":{\"code\":\"permission_denied\",\"message\":\"not your match\"}}";
        TestBackend.send(ex, 200, body.getBytes(), "application/json");
    };

    @Test
    void anSseStreamAsksTheSubscribeProxyForItsChannelsAndStreamsThoseAllowed() {
        backend.on("/subscribe", BY_NAME);
        String ok = TestNode.unique("sp:ok");
        String no = TestNode.unique("sp:no");
        String open = TestNode.unique("open:o");
        String token = node.token("sue", List.of(), List.of(), List.of());
        try (SseClient sse = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=" + ok
                + "&channel=" + no + "&channel=" + open + "&token=" + token), Map.of())) {
            SseClient.Event connected = sse.expect("connected");
            assertThat(connected.json().path("subscriptions")).extracting(n -> n.path("channel").asText())
                    .containsExactly(ok, open, no);
            assertThat(connected.id()).matches("[A-Za-z0-9]+:0,-,[A-Za-z0-9]+:0");
            JsonNode refused = sse.expect("error").json();
            assertThat(refused.path("channel").asText()).isEqualTo(no);
            assertThat(refused.path("code").asText()).isEqualTo("permission_denied");
            assertThat(refused.path("message").asText()).isEqualTo("not your match");
            node.publish(ok, "goal", "{\"n\":1}");
            assertThat(sse.expect("goal").json().path("channel").asText()).isEqualTo(ok);
        }
        assertThat(backend.drain()).extracting(c -> c.body().path("channel").asText()).containsExactlyInAnyOrder(ok, no);
    }

    @Test
    void aPollAsksTheSubscribeProxyForItsChannelsAndRefusesThoseItRefuses() throws Exception {
        backend.on("/subscribe", BY_NAME);
        String ok = TestNode.unique("sp:ok");
        String no = TestNode.unique("sp:no");
        String token = node.token("pat", List.of(), List.of(), List.of());
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                + "/poll?channel=" + ok + "&channel=" + no + "&timeout=0&token=" + token)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode body = ProxyConnectTest.json(res.body());
        assertThat(body.path("refused").get(0).path("channel").asText()).isEqualTo(no);
        assertThat(body.path("refused").get(0).path("code").asText()).isEqualTo("permission_denied");
        assertThat(body.path("cursors").asText()).endsWith(",-");

        backend.on("/subscribe", TestBackend.json(500, "{}"));
        HttpResponse<String> failed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                + "/poll?channel=" + ok + "&timeout=0&token=" + token)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(failed.statusCode()).isEqualTo(503);
    }

    @Test
    void aPublishInAProxyNamespaceIsPublishedOnlyAfterTheBackendAnswersWithItsData() throws Exception {
        String channel = TestNode.unique("pp:match");
        CountDownLatch release = new CountDownLatch(1);
        backend.on("/publish", (ex, in) -> {
            release.await(900, TimeUnit.MILLISECONDS);
            TestBackend.send(ex, 200, "{\"result\":{\"data\":{\"score\":[1,0],\"by\":\"referee\"}}}".getBytes(),
                    "application/json");
        });
        try (WsClient watcher = node.connectAs("watcher", "pp:*");
             WsClient referee = node.connectAs("ref")) {
            watcher.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            referee.send("{\"type\":\"publish\",\"id\":2,\"channel\":\"" + channel
                    + "\",\"event\":\"score\",\"data\":{\"score\":[1,0]}}");
            TestBackend.Call call = backend.next();
            assertThat(call.body().path("user").asText()).isEqualTo("ref");
            assertThat(call.body().path("event").asText()).isEqualTo("score");
            assertThat(call.body().path("data").toString()).isEqualTo("{\"score\":[1,0]}");
            // the backend has not answered: nothing is published yet
            watcher.expectNothingPending();
            assertThat(node.api("GET", "/api/history/" + channel.replace(":", "%3A"), null).json()
                    .path("publications").size()).isZero();
            release.countDown();
            assertThat(referee.expect("published").path("offset").asLong()).isEqualTo(1);
            JsonNode got = watcher.expect("score");
            assertThat(got.path("data").toString()).isEqualTo("{\"score\":[1,0],\"by\":\"referee\"}");
            assertThat(got.path("user").asText()).isEqualTo("ref");
        } finally {
            release.countDown();
        }
    }

    @ParameterizedTest(name = "publish: {0} -> {2}")
    @MethodSource("failures")
    void aPublishTheBackendDoesNotAllowIsRefusedAndNothingIsPublished(String what, TestBackend.Answer answer,
                                                                      String code, boolean temporary) {
        backend.on("/publish", answer);
        String channel = TestNode.unique("pp:f");
        try (WsClient c = node.connectAs("alice", "pp:*")) {
            c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            JsonNode e = c.call("{\"type\":\"publish\",\"id\":2,\"channel\":\"" + channel
                    + "\",\"event\":\"score\",\"data\":{}}");
            assertThat(e.path("type").asText()).isEqualTo("error");
            assertThat(e.path("id").asLong()).isEqualTo(2);
            assertThat(e.path("code").asText()).isEqualTo(code);
            assertThat(e.path("temporary").asBoolean()).isEqualTo(temporary);
            assertThat(e.path("idempotency_key").asText()).isNotEmpty();
            c.expectNothingPending();
        }
        assertThat(node.api("GET", "/api/history/" + channel.replace(":", "%3A"), null).json().path("offset").asLong())
                .isZero();
    }

    @Test
    void aPublishOverHttpGoesThroughThePublishProxyToo() throws Exception {
        String channel = TestNode.unique("pp:http");
        backend.on("/publish", TestBackend.result("{\"data\":{\"via\":\"proxy\"}}"));
        String token = node.token("hank", List.of(), List.of(), List.of());
        HttpResponse<String> res = post("/publish", "{\"type\":\"publish\",\"id\":1,\"channel\":\"" + channel
                + "\",\"event\":\"e\",\"data\":{\"via\":\"client\"}}", Map.of("Authorization", "Bearer " + token));
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(ProxyConnectTest.json(res.body()).path("type").asText()).isEqualTo("published");
        JsonNode history = node.api("GET", "/api/history/" + channel.replace(":", "%3A"), null).json();
        assertThat(history.path("publications").get(0).path("data").toString()).isEqualTo("{\"via\":\"proxy\"}");
        assertThat(backend.next().body().path("user").asText()).isEqualTo("hank");
    }

    @Test
    void theRpcCommandIsAnsweredWithTheBackendsData() {
        backend.on("/rpc", TestBackend.result("{\"data\":{\"started\":true,\"match\":42}}"));
        try (WsClient c = node.connectAs("ref")) {
            JsonNode r = c.call("{\"type\":\"rpc\",\"id\":9,\"method\":\"start_match\",\"data\":{\"match\":42}}");
            assertThat(r.toString()).isEqualTo("{\"type\":\"rpc\",\"id\":9,\"data\":{\"started\":true,\"match\":42}}");
            TestBackend.Call call = backend.next();
            assertThat(call.body().path("method").asText()).isEqualTo("start_match");
            assertThat(call.body().path("user").asText()).isEqualTo("ref");
            assertThat(call.body().path("data").toString()).isEqualTo("{\"match\":42}");
            // without data the request carries null, and a bad method name never reaches the backend
            c.call("{\"type\":\"rpc\",\"id\":10,\"method\":\"ping\"}");
            assertThat(backend.next().body().path("data").isNull()).isTrue();
            assertThat(c.call("{\"type\":\"rpc\",\"id\":11,\"method\":\"no spaces\"}").path("code").asText())
                    .isEqualTo("bad_request");
        }
    }

    @ParameterizedTest(name = "rpc: {0} -> {2}")
    @MethodSource("failures")
    void anRpcTheBackendDoesNotAnswerGetsTheMappedError(String what, TestBackend.Answer answer, String code,
                                                       boolean temporary) {
        backend.on("/rpc", answer);
        try (WsClient c = node.connectAs("ref")) {
            JsonNode e = c.call("{\"type\":\"rpc\",\"id\":3,\"method\":\"m\",\"data\":{}}");
            assertThat(e.path("type").asText()).isEqualTo("error");
            assertThat(e.path("id").asLong()).isEqualTo(3);
            assertThat(e.path("code").asText()).isEqualTo(code);
            assertThat(e.path("temporary").asBoolean()).isEqualTo(temporary);
            c.expectNothingPending();
        }
    }

    @Test
    void theRpcCommandOverHttpWorksWithABearerTokenAndWithOnlyACookie() throws Exception {
        backend.on("/rpc", TestBackend.result("{\"data\":{\"ok\":1}}"));
        String token = node.token("sse-user", List.of(), List.of(), List.of());
        HttpResponse<String> bearer = post("/rpc", "{\"type\":\"rpc\",\"id\":1,\"method\":\"m\",\"data\":{\"a\":1}}",
                Map.of("Authorization", "Bearer " + token));
        assertThat(bearer.statusCode()).isEqualTo(200);
        assertThat(bearer.body()).isEqualTo("{\"type\":\"rpc\",\"id\":1,\"data\":{\"ok\":1}}");
        assertThat(backend.next().body().path("user").asText()).isEqualTo("sse-user");

        HttpResponse<String> cookie = post("/rpc", "{\"type\":\"rpc\",\"id\":2,\"method\":\"m\"}",
                Map.of("Cookie", "sid=1"));
        assertThat(cookie.statusCode()).isEqualTo(200);
        TestBackend.Call connect = backend.next();
        assertThat(connect.path()).isEqualTo("/connect");
        assertThat(connect.body().path("transport").asText()).isEqualTo("http");
        assertThat(connect.header("cookie")).isEqualTo("sid=1");
        TestBackend.Call rpc = backend.next();
        assertThat(rpc.body().path("user").asText()).isEqualTo("cookie-user");
        assertThat(rpc.body().path("client").asText()).isEqualTo(connect.body().path("client").asText());

        backend.on("/rpc", TestBackend.json(200, "{\"error\":{\"code\":\"permission_denied\",\"message\":\"referee only\"}}"));
        HttpResponse<String> refused = post("/rpc", "{\"type\":\"rpc\",\"id\":3,\"method\":\"m\"}",
                Map.of("Authorization", "Bearer " + token));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(ProxyConnectTest.json(refused.body()).path("message").asText()).isEqualTo("referee only");

        backend.on("/rpc", TestBackend.json(500, "{}"));
        HttpResponse<String> failed = post("/rpc", "{\"type\":\"rpc\",\"id\":4,\"method\":\"m\"}",
                Map.of("Authorization", "Bearer " + token));
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(ProxyConnectTest.json(failed.body()).path("temporary").asBoolean()).isTrue();

        HttpResponse<String> wrong = post("/rpc", "{\"type\":\"ping\",\"id\":5}", Map.of("Authorization", "Bearer " + token));
        assertThat(wrong.statusCode()).isEqualTo(400);
    }

    @Test
    void withoutAnRpcProxyTheRpcCommandIsNotAvailable() throws Exception {
        try (TestNode plain = TestNode.builder().start(); WsClient c = plain.connectAs("u")) {
            JsonNode e = c.call("{\"type\":\"rpc\",\"id\":1,\"method\":\"m\"}");
            assertThat(e.path("code").asText()).isEqualTo("not_available");
            assertThat(e.path("temporary").asBoolean()).isFalse();
        }
    }

    @Test
    void aSlowBackendUnderABurstHoldsTheCapAndLeavesOtherWorkUnhindered() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend.on("/subscribe", (ex, in) -> {
            release.await(900, TimeUnit.MILLISECONDS);
            TestBackend.send(ex, 200, "{\"result\":{}}".getBytes(), "application/json");
        });
        backend.on("/rpc", TestBackend.result("{\"data\":\"fast\"}"));
        double overloaded = node.metric("herald_proxy_calls_total{kind=\"subscribe\",outcome=\"overloaded\"}");
        List<WsClient> burst = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                burst.add(node.connectAs("b" + i));
            }
            for (WsClient c : burst) {
                c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"sp:hot\"}");
            }
            Await.until(Duration.ofSeconds(5), "4 subscribe calls wait", () -> backend.inFlight.get() == 4);
            // past the cap: too_many_requests at once, while the 4 calls still wait
            Await.until(Duration.ofSeconds(2), "8 refusals", () -> burst.stream()
                    .filter(c -> c.hasReceived(n -> n.path("code").asText().equals("too_many_requests"))).count() == 8);
            assertThat(backend.inFlight.get()).isEqualTo(4);
            // other work goes on: a non-proxied namespace, another proxy kind, publications
            try (WsClient other = node.connectAs("other", "open:*")) {
                String open = TestNode.unique("open:free");
                assertThat(other.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + open + "\"}").path("type").asText())
                        .isEqualTo("subscribed");
                node.publish(open, "tick", "{}");
                other.expect("tick");
                assertThat(other.call("{\"type\":\"rpc\",\"id\":2,\"method\":\"m\"}").path("data").asText()).isEqualTo("fast");
            }
            release.countDown();
            int subscribed = 0;
            for (WsClient c : burst) {
                JsonNode n = c.next();
                if (n.path("type").asText().equals("subscribed")) {
                    subscribed++;
                } else {
                    assertThat(n.path("code").asText()).isEqualTo("too_many_requests");
                    assertThat(n.path("temporary").asBoolean()).isTrue();
                }
            }
            assertThat(subscribed).isEqualTo(4);
            assertThat(node.metric("herald_proxy_calls_total{kind=\"subscribe\",outcome=\"overloaded\"}"))
                    .isEqualTo(overloaded + 8);
            assertThat(node.metric("herald_rate_limited_total{limit=\"proxy_subscribe\"}")).isGreaterThanOrEqualTo(8);
        } finally {
            release.countDown();
            burst.forEach(WsClient::close);
        }
    }

    private static HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
