package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.JwtConfig;
import io.herald.config.ProxyConfig;
import io.herald.proxy.ProxyKind;
import io.herald.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
 * The connect and refresh proxies against a real backend (an HTTP server in the test): a client with
 * only a session cookie connects on {@code /ws}, {@code /sse} and {@code /poll}; the backend's answers
 * and failures end as PROTOCOL.md's failure mapping says; tokens keep working beside it; headers reach
 * the backend only as configured; a proxy-admitted connection is refreshed before its {@code expires}
 * and ended when the backend says so; the pending-call cap refuses connects past it with 4008.
 */
class ProxyConnectTest {
    private static final String COOKIE = "sid=s3ss10n";
    private static TestBackend backend;
    private static TestNode node;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        backend = new TestBackend();
        ProxyConfig proxy = ProxyConfig.NONE
                .withUrl(ProxyKind.CONNECT, backend.url("/connect"))
                .withUrl(ProxyKind.REFRESH, backend.url("/refresh"))
                .withTimeout(Duration.ofSeconds(1))
                .withHeaders(List.of("cookie"), Map.of("x-herald-proxy", "s3cret"))
                .withCaps(4, 64 * 1024);
        JwtConfig jwt = new JwtConfig(TestNode.SECRET, null, null, null, null, null, false,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5));
        node = TestNode.builder().proxy(proxy).jwt(jwt)
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
        backend.on("/connect", TestBackend.result("{\"user\":\"u1\",\"channels\":[\"chat:*\"],\"data\":{\"plan\":\"gold\"}}"));
        backend.on("/refresh", TestBackend.status(500, "no refresh answer set"));
        backend.drain();
    }

    private static WsClient cookieWs() {
        return WsClient.open(node.wsUri(null), Map.of("Cookie", COOKIE, "X-Not-Forwarded", "private"));
    }

    @Test
    void aWebSocketWithOnlyACookieConnectsAsTheUserTheBackendNames() {
        try (WsClient c = cookieWs()) {
            JsonNode connected = c.call("{\"type\":\"connect\",\"id\":1,\"data\":{\"page\":\"orders\"}}");
            assertThat(connected.path("type").asText()).isEqualTo("connected");
            assertThat(connected.path("id").asLong()).isEqualTo(1);
            assertThat(connected.path("user").asText()).isEqualTo("u1");
            assertThat(connected.path("data")).isEqualTo(json("{\"plan\":\"gold\"}"));
            // the result's channels claim is the connection's: chat:* allowed, others not
            assertThat(c.call("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"chat:1\"}").path("type").asText())
                    .isEqualTo("subscribed");
            assertThat(c.call("{\"type\":\"subscribe\",\"id\":3,\"channel\":\"news:1\"}").path("code").asText())
                    .isEqualTo("permission_denied");

            TestBackend.Call call = backend.next();
            assertThat(call.path()).isEqualTo("/connect");
            assertThat(call.body().path("client").asText()).isEqualTo(connected.path("client").asText());
            assertThat(call.body().path("transport").asText()).isEqualTo("ws");
            assertThat(call.body().path("remote_addr").asText()).isEqualTo("127.0.0.1");
            assertThat(call.body().path("data")).isEqualTo(json("{\"page\":\"orders\"}"));
            // only the named header is forwarded, in the body and as a header; the static one is added
            assertThat(call.body().path("headers")).isEqualTo(json("{\"cookie\":\"" + COOKIE + "\"}"));
            assertThat(call.header("cookie")).isEqualTo(COOKIE);
            assertThat(call.header("x-not-forwarded")).isNull();
            assertThat(call.header("x-herald-proxy")).isEqualTo("s3cret");
            assertThat(call.header("content-type")).isEqualTo("application/json");
        }
    }

    @Test
    void aFirstCommandOtherThanConnectConnectsThroughTheProxyAndIsThenHandled() {
        try (WsClient c = cookieWs()) {
            c.send("{\"type\":\"ping\",\"id\":7}");
            assertThat(c.expect("connected").path("user").asText()).isEqualTo("u1");
            assertThat(c.expect("pong").path("id").asLong()).isEqualTo(7);
            assertThat(backend.next().body().has("data")).isFalse();
        }
    }

    @Test
    void aTokenStillConnectsWithoutAskingTheProxy() {
        try (WsClient c = node.connectAs("bob", "chat:*")) {
            c.expectNothingPending();
            try (WsClient viaCommand = node.connect(null)) {
                String token = node.token("carol", List.of(), List.of(), List.of());
                assertThat(viaCommand.call("{\"type\":\"connect\",\"id\":1,\"token\":\"" + token + "\"}").path("user").asText())
                        .isEqualTo("carol");
            }
        }
        assertThat(backend.drain()).isEmpty();
    }

    @Test
    void headersAreForwardedOnlyWhenNamedSoAClientWithoutACookieSendsNone() {
        try (WsClient c = WsClient.open(node.wsUri(null), Map.of("Authorization", "Bearer not-named"))) {
            c.call("{\"type\":\"connect\",\"id\":1}");
            TestBackend.Call call = backend.next();
            assertThat(call.body().path("headers").size()).isZero();
            assertThat(call.header("cookie")).isNull();
            assertThat(call.header("authorization")).isNull();
            assertThat(call.header("x-herald-proxy")).isEqualTo("s3cret");
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("403 without the answer shape", TestBackend.status(403, "no session"), 4003, false, "refused"),
                Arguments.of("an error answer", TestBackend.json(200,
                        "{\"error\":{\"code\":\"permission_denied\",\"message\":\"log in first\"}}"), 4003, false, "error"),
                Arguments.of("a disconnect answer", TestBackend.json(200,
                        "{\"disconnect\":{\"code\":4010,\"reason\":\"banned\",\"reconnect\":false}}"), 4010, false,
                        "disconnect"),
                Arguments.of("a timeout", TestBackend.after(Duration.ofMillis(1500), TestBackend.result("{\"user\":\"u\"}")),
                        4002, true, "timeout"),
                Arguments.of("a 5xx", TestBackend.json(502, "{\"result\":{\"user\":\"u\"}}"), 4002, true, "server_error"),
                Arguments.of("a malformed answer", TestBackend.status(200, "<html>login</html>"), 4002, true, "malformed"),
                Arguments.of("a result without user", TestBackend.result("{\"channels\":[\"chat:*\"]}"), 4002, true, "malformed"),
                Arguments.of("a result with a bad claim", TestBackend.result("{\"user\":\"u\",\"channels\":\"chat:*\"}"), 4002,
                        true, "malformed"),
                Arguments.of("a result whose expires has passed", TestBackend.result("{\"user\":\"u\",\"expires\":1000}"), 4003,
                        false, "result"),
                Arguments.of("an error with a code that is not the protocol's", TestBackend.json(200,
                        "{\"error\":{\"code\":\"no_cookie\"}}"), 4002, true, "malformed"),
                Arguments.of("a redirect (never followed)", (TestBackend.Answer) (ex, in) -> {
                    ex.getResponseHeaders().set("Location", backend.url("/elsewhere").toString());
                    TestBackend.send(ex, 302, new byte[0], "text/plain");
                }, 4002, true, "malformed"),
                Arguments.of("an oversized answer", TestBackend.oversized(70_000), 4002, true, "oversized"));
    }

    @ParameterizedTest(name = "{0} closes with {2}")
    @MethodSource("refusals")
    void aConnectTheProxyDoesNotAdmitEndsWithTheMappedCode(String what, TestBackend.Answer answer, int code,
                                                          boolean reconnect, String outcome) {
        backend.on("/connect", answer);
        String counter = "herald_proxy_calls_total{kind=\"connect\",outcome=\"" + outcome + "\"}";
        double before = node.metric(counter);
        try (WsClient c = cookieWs()) {
            c.send("{\"type\":\"connect\",\"id\":1}");
            JsonNode first = c.next();
            if (first.path("type").asText().equals("error")) {
                assertThat(first.path("id").asLong()).isEqualTo(1);
                assertThat(first.path("code").asText()).isEqualTo("permission_denied");
                assertThat(first.path("message").asText()).isEqualTo("log in first");
                first = c.next();
            }
            assertThat(first.path("type").asText()).isEqualTo("disconnect");
            assertThat(first.path("code").asInt()).isEqualTo(code);
            assertThat(first.path("reconnect").asBoolean()).isEqualTo(reconnect);
            assertThat(c.awaitClose()).isEqualTo(code);
        }
        Await.until(Duration.ofSeconds(5), counter + " counted the call", () -> node.metric(counter) == before + 1);
        assertThat(backend.drain()).extracting(TestBackend.Call::path).containsExactly("/connect");
    }

    @Test
    void anSseStreamWithOnlyACookieConnectsThroughTheProxy() {
        try (SseClient sse = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=chat:sse"),
                Map.of("Cookie", COOKIE))) {
            JsonNode connected = sse.expect("connected").json();
            assertThat(connected.path("user").asText()).isEqualTo("u1");
            assertThat(connected.path("data")).isEqualTo(json("{\"plan\":\"gold\"}"));
            TestBackend.Call call = backend.next();
            assertThat(call.body().path("transport").asText()).isEqualTo("sse");
            assertThat(call.body().path("query").path("channel").asText()).isEqualTo("chat:sse");
            assertThat(call.header("cookie")).isEqualTo(COOKIE);
            node.publish("chat:sse", "msg", "{\"n\":1}");
            assertThat(sse.expect("msg").json().path("data").path("n").asInt()).isEqualTo(1);
        }
    }

    @Test
    void anSseStreamTheProxyRefusesEndsWith4003() {
        backend.on("/connect", TestBackend.status(401, "no session"));
        try (SseClient sse = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=chat:sse2"),
                Map.of("Cookie", COOKIE))) {
            JsonNode d = sse.expect("disconnect").json();
            assertThat(d.path("code").asInt()).isEqualTo(4003);
            sse.expectEnd();
        }
    }

    @Test
    void aPollWithOnlyACookieIsAnsweredForTheProxysUserAndRefusedWhenItRefuses() throws Exception {
        HttpResponse<String> ok = get("/poll?channel=chat:poll&timeout=0", COOKIE);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok.body()).has("cursors")).isTrue();
        TestBackend.Call call = backend.next();
        assertThat(call.body().path("transport").asText()).isEqualTo("poll");
        assertThat(call.header("cookie")).isEqualTo(COOKIE);

        // the result's claims decide: news:* is not among its channels
        HttpResponse<String> denied = get("/poll?channel=news:poll&timeout=0", COOKIE);
        assertThat(denied.statusCode()).isEqualTo(403);

        backend.on("/connect", TestBackend.status(403, "no session"));
        HttpResponse<String> refused = get("/poll?channel=chat:poll&timeout=0", COOKIE);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(json(refused.body()).path("error").path("code").asText()).isEqualTo("unauthorized");

        backend.on("/connect", TestBackend.json(500, "{}"));
        HttpResponse<String> failed = get("/poll?channel=chat:poll&timeout=0", COOKIE);
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(json(failed.body()).path("error").path("code").asText()).isEqualTo("not_available");
    }

    @Test
    void aProxyConnectionIsRefreshedBeforeItsExpiresAndLivesOn() {
        long soon = System.currentTimeMillis() / 1000 + 3;
        backend.on("/connect", TestBackend.result("{\"user\":\"u2\",\"expires\":" + soon + "}"));
        long later = soon + 3600;
        backend.on("/refresh", TestBackend.result("{\"expires\":" + later + "}"));
        try (WsClient c = cookieWs()) {
            JsonNode connected = c.call("{\"type\":\"connect\",\"id\":1}");
            assertThat(connected.path("expires").asLong()).isEqualTo(soon);
            backend.next();
            TestBackend.Call refresh = backend.next();
            assertThat(refresh.path()).isEqualTo("/refresh");
            assertThat(refresh.body()).isEqualTo(json("{\"client\":\"" + connected.path("client").asText()
                    + "\",\"user\":\"u2\"}"));
            assertThat(refresh.header("x-herald-proxy")).isEqualTo("s3cret");
            // past the old expires plus grace the connection still answers, and was never asked to refresh
            Await.until(Duration.ofSeconds(6), "the old expiry and grace passed",
                    () -> System.currentTimeMillis() > (soon + 2) * 1000);
            c.expectNothingPending();
            assertThat(c.closed).isNotDone();
        }
    }

    @Test
    void aRefreshDisconnectEndsTheConnectionWithTheBackendsCode() {
        long soon = System.currentTimeMillis() / 1000 + 2;
        backend.on("/connect", TestBackend.result("{\"user\":\"u3\",\"expires\":" + soon + "}"));
        backend.on("/refresh", TestBackend.json(200,
                "{\"disconnect\":{\"code\":4003,\"reason\":\"session ended\",\"reconnect\":false}}"));
        try (WsClient c = cookieWs()) {
            c.call("{\"type\":\"connect\",\"id\":1}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4003);
            assertThat(d.path("reason").asText()).isEqualTo("session ended");
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void aRefreshRefusedWithout4xxShapeEndsWith4003() {
        long soon = System.currentTimeMillis() / 1000 + 2;
        backend.on("/connect", TestBackend.result("{\"user\":\"u4\",\"expires\":" + soon + "}"));
        backend.on("/refresh", TestBackend.status(403, "gone"));
        try (WsClient c = cookieWs()) {
            c.call("{\"type\":\"connect\",\"id\":1}");
            assertThat(c.expect("disconnect").path("code").asInt()).isEqualTo(4003);
        }
    }

    static Stream<Arguments> refreshFailures() {
        return Stream.of(
                Arguments.of("a timeout", TestBackend.after(Duration.ofMillis(1500), TestBackend.result("{\"expires\":4102444800}"))),
                Arguments.of("a 5xx", TestBackend.json(500, "{\"result\":{\"expires\":4102444800}}")),
                Arguments.of("a malformed answer", TestBackend.result("{\"expires\":\"tomorrow\"}")),
                Arguments.of("an oversized answer", TestBackend.oversized(70_000)));
    }

    @ParameterizedTest(name = "a refresh proxy failing with {0} ends the connection with 4002 at expiry")
    @MethodSource("refreshFailures")
    void aRefreshProxyThatNeverAnswersUsablyEndsTheConnectionWith4002AtExpiryPlusGrace(String what,
                                                                                      TestBackend.Answer answer) {
        long soon = System.currentTimeMillis() / 1000 + 2;
        backend.on("/connect", TestBackend.result("{\"user\":\"u5\",\"expires\":" + soon + "}"));
        backend.on("/refresh", answer);
        try (WsClient c = cookieWs()) {
            c.call("{\"type\":\"connect\",\"id\":1}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4002);
            assertThat(d.path("reconnect").asBoolean()).isTrue();
            // not before expires + grace: the connection was kept while the proxy was being asked
            assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo((soon + 1) * 1000);
        }
        assertThat(backend.drain()).extracting(TestBackend.Call::path).contains("/refresh");
    }

    @Test
    void connectsPastThePendingCapAreRefusedWith4008WhileTokensStillConnect() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend.on("/connect", (ex, in) -> {
            release.await(900, TimeUnit.MILLISECONDS);
            TestBackend.send(ex, 200, "{\"result\":{\"user\":\"slow\"}}".getBytes(), "application/json");
        });
        List<WsClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                WsClient c = cookieWs();
                clients.add(c);
                c.send("{\"type\":\"connect\",\"id\":1}");
            }
            Await.until(Duration.ofSeconds(5), "4 connect calls wait", () -> backend.inFlight.get() == 4);
            try (WsClient over = cookieWs()) {
                over.send("{\"type\":\"connect\",\"id\":1}");
                JsonNode d = over.expect("disconnect");
                assertThat(d.path("code").asInt()).isEqualTo(4008);
                assertThat(d.path("reconnect").asBoolean()).isTrue();
            }
            try (WsClient token = node.connectAs("dave", "chat:*")) {
                token.expectNothingPending();
            }
            release.countDown();
            for (WsClient c : clients) {
                assertThat(c.expect("connected").path("user").asText()).isEqualTo("slow");
            }
            assertThat(node.metric("herald_proxy_calls_total{kind=\"connect\",outcome=\"overloaded\"}")).isGreaterThanOrEqualTo(1);
            assertThat(node.metric("herald_proxy_duration_seconds_count{kind=\"connect\"}")).isGreaterThanOrEqualTo(4);
        } finally {
            release.countDown();
            clients.forEach(WsClient::close);
        }
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
