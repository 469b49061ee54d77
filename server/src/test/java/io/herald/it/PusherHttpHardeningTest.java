package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.HttpConfig;
import io.herald.config.LimitsConfig;
import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Pusher HTTP API against hostile and mistaken callers, over real sockets: stale and wrong
 * signatures, unknown apps and keys, bodies that lie about their MD5, malformed JSON, huge and slow
 * bodies, floods over the app's rate, unknown endpoints. Each gets the status and text Pusher gives,
 * within a bound in time, and publishes nothing; the node goes on serving. Requests are signed here
 * the way Pusher's documentation describes, independently of the server's code.
 */
class PusherHttpHardeningTest {
    private static final String KEY = "hard-key";
    private static final String SECRET = "hard-secret-0123456789abcdef";
    private static final String FLOOD_KEY = "flood-key";
    private static final String FLOOD_SECRET = "flood-secret-0123456789abcdef";
    private static final int API_RATE = 50;
    private static TestNode node;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .http(HttpConfig.DEFAULTS.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                        .withBodies(1000, 64L * 1024 * 1024).withRequests(16, 0))
                .limits(new LimitsConfig(0, 0, 0, API_RATE))
                .pusher(new PusherConfig(List.of(PusherAppConfig.of("1001", KEY, SECRET, true),
                        PusherAppConfig.of("3003", FLOOD_KEY, FLOOD_SECRET, false))))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** The signed path and query of a request, {@code timestamp} in seconds. */
    static String signed(String method, String path, Map<String, String> extra, String body, String key, String secret,
                         long timestamp) throws Exception {
        TreeMap<String, String> params = new TreeMap<>(extra);
        params.put("auth_key", key);
        params.put("auth_timestamp", Long.toString(timestamp));
        params.put("auth_version", "1.0");
        if (body != null) {
            params.put("body_md5", HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(body.getBytes(StandardCharsets.UTF_8))));
        }
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(k).append('=').append(v));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String sig = HexFormat.of().formatHex(mac.doFinal((method + "\n" + path + "\n" + query)
                .getBytes(StandardCharsets.UTF_8)));
        return path + "?" + query + "&auth_signature=" + sig;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, long timestamp) throws Exception {
        return send("POST", signed("POST", path, Map.of(), body, KEY, SECRET, timestamp), body);
    }

    private static String event(String channel) {
        return "{\"name\":\"ev\",\"channel\":\"" + channel + "\",\"data\":\"{}\"}";
    }

    private static WsClient subscriber(String channel) {
        WsClient c = node.connectAs("watcher", "**");
        assertThat(c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}").get("type").asText())
                .isEqualTo("subscribed");
        return c;
    }

    @Test
    void aStaleOrFutureTimestampIsRefusedWithPushersTextAndPublishesNothing() throws Exception {
        String ch = TestNode.unique("stale-");
        try (WsClient ws = subscriber(ch)) {
            HttpResponse<String> old = post("/apps/1001/events", event(ch), now() - 601);
            assertThat(old.statusCode()).isEqualTo(401);
            assertThat(old.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(old.body()).startsWith("Timestamp expired: Given timestamp (").contains("not within 600s of server time (");
            assertThat(post("/apps/1001/events", event(ch), now() + 700).statusCode()).isEqualTo(401);
            ws.expectNothingPending();
            assertThat(post("/apps/1001/events", event(ch), now() - 300).statusCode()).as("within the window").isEqualTo(200);
            assertThat(ws.next().get("type").asText()).isEqualTo("ev");
        }
    }

    @Test
    void wrongSignaturesKeysAppsAndVersionsGetPushersAnswers() throws Exception {
        String body = event("x");
        String good = signed("POST", "/apps/1001/events", Map.of(), body, KEY, SECRET, now());
        HttpResponse<String> tampered = send("POST", good.replace("auth_signature=", "auth_signature=0"), body);
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(tampered.body()).startsWith("Invalid signature: you should have sent HmacSHA256Hex(\"POST\\n/apps/1001/events\\nauth_key=hard-key&auth_timestamp=")
                .contains(", your_secret_key), but you sent \"0");
        HttpResponse<String> otherPath = send("POST", good.replace("/apps/1001/events", "/apps/1001/batch_events"), body);
        assertThat(otherPath.statusCode()).as("a signature is for one path").isEqualTo(401);
        assertThat(send("POST", signed("POST", "/apps/1001/events", Map.of(), body, "nope", SECRET, now()), body).body())
                .isEqualTo("Unknown auth_key\n");
        assertThat(send("POST", signed("POST", "/apps/1001/events", Map.of(), body, FLOOD_KEY, FLOOD_SECRET, now()), body)
                .statusCode()).as("another app's key").isEqualTo(400);
        HttpResponse<String> noApp = send("POST", signed("POST", "/apps/77/events", Map.of(), body, KEY, SECRET, now()), body);
        assertThat(noApp.statusCode()).isEqualTo(404);
        assertThat(send("POST", good.replace("auth_version=1.0", "auth_version=2.0"), body).body())
                .isEqualTo("Version not supported\n");
        assertThat(send("POST", good.replace("auth_key=hard-key&", ""), body).body()).isEqualTo("Missing parameter: auth_key\n");
        assertThat(send("GET", "/apps/1001/channels", null).statusCode()).as("unsigned").isEqualTo(401);
    }

    @Test
    void aBodyThatIsNotTheSignedOneOrNotJsonIsRefused() throws Exception {
        String ch = TestNode.unique("md5-");
        try (WsClient ws = subscriber(ch)) {
            String signedFor = signed("POST", "/apps/1001/events", Map.of(), event(ch), KEY, SECRET, now());
            HttpResponse<String> swapped = send("POST", signedFor, event(ch).replace("\"{}\"", "\"{\\\"evil\\\":1}\""));
            assertThat(swapped.statusCode()).isEqualTo(401);
            assertThat(swapped.body()).startsWith("Invalid body_md5");
            assertThat(post("/apps/1001/events", "{\"name\":", now()).statusCode()).isEqualTo(400);
            assertThat(post("/apps/1001/events", "[1,2]", now()).body()).isEqualTo("Request body must be a JSON object\n");
            assertThat(post("/apps/1001/events", "{\"name\":\"ev\",\"data\":\"x\"}", now()).body())
                    .isEqualTo("Missing parameter: channels (or channel)\n");
            assertThat(post("/apps/1001/events", "{\"name\":\"pusher:error\",\"channel\":\"" + ch + "\",\"data\":\"x\"}", now())
                    .statusCode()).isEqualTo(400);
            assertThat(post("/apps/1001/events", "{\"name\":\"ev\",\"channel\":\"bad channel\",\"data\":\"x\"}", now())
                    .body()).startsWith("Invalid channel name");
            assertThat(post("/apps/1001/events", "{\"name\":\"ev\",\"channel\":\"" + ch
                    + "\",\"data\":\"x\",\"socket_id\":\"abc\"}", now()).statusCode()).isEqualTo(400);
            ws.expectNothingPending();
        }
    }

    private static Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String head(String pathAndQuery, long contentLength) {
        return "POST " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + contentLength + "\r\n\r\n";
    }

    @Test
    void anUnsignedOrHugeUploadIsAnsweredFromItsHeadWithoutItsBody() throws Exception {
        long start = System.nanoTime();
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head("/apps/1001/events?auth_key=hard-key&auth_timestamp=1&auth_version=1.0&auth_signature=00",
                    5_000_000).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawHttp.readToEnd(s).text()).startsWith("HTTP/1.1 401").contains("Timestamp expired");
        }
        try (Socket s = open()) {
            // a valid signature over a body_md5 it will never send, announcing 5 MB
            String q = signed("POST", "/apps/1001/events", Map.of("body_md5", "0123456789abcdef0123456789abcdef"), null,
                    KEY, SECRET, now());
            s.getOutputStream().write(head(q, 5_000_000).getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = RawHttp.readToEnd(s).text();
            assertThat(answer).startsWith("HTTP/1.1 413").contains("Request body is larger than 262144 bytes");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no body was awaited").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyDrippingSlowerThanTheMinimumRateIsCutOff() throws Exception {
        String body = event("slow").repeat(1).concat(" ".repeat(4000));
        String q = signed("POST", "/apps/1001/events", Map.of(), body, KEY, SECRET, now());
        long start = System.nanoTime();
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(head(q, body.length()).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.setSoTimeout(200);
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    out.write(body.charAt(i));
                    out.flush();
                    closed = s.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // no answer yet: drip on
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed before 40 slow bytes went").isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void aFloodOverTheAppsRateGets403WithRetryAfterAndLeavesOtherAppsServed() throws Exception {
        String path = "/apps/3003/channels";
        int refused = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 20 * API_RATE && refused == 0; i++) {
            last = send("GET", signed("GET", path, Map.of(), null, FLOOD_KEY, FLOOD_SECRET, now()), null);
            if (last.statusCode() == 403) {
                refused++;
            }
        }
        assertThat(refused).as("refused past a burst of " + 2 * API_RATE).isEqualTo(1);
        assertThat(last.body()).startsWith("Over quota");
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(send("GET", signed("GET", "/apps/1001/channels", Map.of(), null, KEY, SECRET, now()), null).statusCode())
                .as("the other app's rate is its own").isEqualTo(200);
        String metrics = node.get("/metrics").body();
        assertThat(metrics).contains("herald_pusher_api_requests_total{app=\"3003\",outcome=\"over_quota\"}")
                .contains("herald_pusher_api_requests_total{app=\"3003\",outcome=\"ok\"}")
                .contains("herald_pusher_api_requests_total{app=\"unknown\",outcome=\"not_found\"}");
    }

    @Test
    void endpointsAndMethodsOutsideTheApiAre404() throws Exception {
        assertThat(send("GET", signed("GET", "/apps/1001/events", Map.of(), null, KEY, SECRET, now()), null).statusCode())
                .isEqualTo(404);
        assertThat(send("GET", signed("GET", "/apps/1001/nothing/here", Map.of(), null, KEY, SECRET, now()), null).body())
                .startsWith("Not found: GET /apps/1001/nothing/here");
    }

    @Test
    void terminatingAUsersConnectionsEndsThemOnlyForThatUser() throws Exception {
        try (WsClient ada = node.connectAs("ada", "**"); WsClient bob = node.connectAs("bob", "**")) {
            HttpResponse<String> r = post("/apps/1001/users/ada/terminate_connections", "{}", now());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{}");
            assertThat(ada.until("disconnect").getLast().get("reconnect").asBoolean()).isFalse();
            ada.awaitClose();
            bob.expectNothingPending();
        }
    }
}
