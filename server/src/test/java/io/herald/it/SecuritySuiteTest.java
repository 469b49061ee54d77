package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import io.herald.auth.Pem;
import io.herald.auth.TokenIssuer;
import io.herald.config.ClientConfig;
import io.herald.config.HttpConfig;
import io.herald.config.JwtConfig;
import io.herald.config.LimitsConfig;
import io.herald.config.ProxyConfig;
import io.herald.proxy.ProxyKind;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.engine.memory.MemoryHistoryStore;
import io.herald.protocol.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Herald's security and fault suite: a table of hostile clients, each with the exact outcome the
 * protocol promises, run against ONE node with realistic limits. After every case the same
 * epilogue proves the node survived it:
 * <ol>
 *   <li>a healthy subscriber connected before the case still receives a fresh publication, and a
 *       fresh client can connect, subscribe and receive;</li>
 *   <li>memory stays bounded: heap used after GC stays under baseline + 64 MiB, the outbound queue
 *       gauge drains, connections and subscriptions return to the healthy client's own;</li>
 *   <li>nothing acknowledged is lost: every publication acknowledged during the case reached the
 *       healthy subscriber in order with no gap, and is in channel history.</li>
 * </ol>
 * The SIGTERM case drains a separate node (graceful {@code shutdown()}, the code the SIGTERM hook
 * runs) during a publish burst; the shared node's epilogue still runs after it.
 */
class SecuritySuiteTest {
    private static final String FEED = "pub:feed";
    private static final long HEAP_HEADROOM = 64L * 1024 * 1024;
    private static final long QUEUE_BOUND = 16 * 1024;
    private static final int MAX_FRAME = 64 * 1024;
    private static final AtomicInteger USERS = new AtomicInteger();

    private static TestNode node;
    /** The subscribe proxy of the px namespace: answers by channel name, each answer hostile. */
    private static TestBackend backend;
    private static final int PROXY_PENDING = 16;
    /** Released to let stalled subscribe-proxy answers go (the burst case). */
    private static volatile java.util.concurrent.CountDownLatch stall = new java.util.concurrent.CountDownLatch(0);
    /** Stalled answers waiting for {@link #stall}. */
    private static final AtomicInteger stalled = new AtomicInteger();
    /** The shared node's history store, for its stream count. */
    private static MemoryHistoryStore streams;
    private static KeyPair rsa;
    private static String rsaPem;
    /** Connected before every case, subscribed to {@link #FEED}, never touched by attacks. */
    private static WsClient healthy;
    private static long healthyLast;
    private static String feedEpoch;
    private static long baselineHeap;
    private static long peakHeap;
    private static final Map<String, String> REPORT = Collections.synchronizedMap(new LinkedHashMap<>());

    /** What the hostile client does; returns a one-line account of what was observed. */
    @FunctionalInterface
    interface Attack {
        String run(Ctx c) throws Exception;
    }

    /** One row of the table; {@code bug} non-null marks a case disabled because it exposes a server bug. */
    record Case(String name, String expected, Attack attack) {
        @Override
        public String toString() {
            return name + " -> " + expected;
        }
    }

    /** Per-case context: acknowledged publications and clients to close afterwards. */
    static final class Ctx implements AutoCloseable {
        final List<Long> acked = new ArrayList<>();
        private final List<AutoCloseable> open = new ArrayList<>();

        long publish(String dataJson) {
            long offset = node.publish(FEED, "tick", dataJson);
            acked.add(offset);
            return offset;
        }

        String user(String prefix) {
            return prefix + "-" + USERS.incrementAndGet();
        }

        String token(String user, String... channels) {
            return node.token(user, List.of(channels), List.of(), List.of());
        }

        WsClient ws(String token) {
            WsClient c = node.connect(token);
            open.add(c);
            return c;
        }

        RawWsClient raw(String token, int receiveBuffer) throws IOException {
            RawWsClient r = RawWsClient.connect(node.port(), "/ws?token=" + token, receiveBuffer);
            open.add(r);
            return r;
        }

        RawWsClient raw(String token) throws IOException {
            return raw(token, 0);
        }

        <T extends AutoCloseable> T track(T c) {
            open.add(c);
            return c;
        }

        @Override
        public void close() {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    // already gone: that is what most attacks end with
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // node, healthy client, baseline
    // ------------------------------------------------------------------------------------------

    private static ClientConfig clientConfig() {
        return ClientConfig.DEFAULTS
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(10))
                .withQueue(256 * 1024, Duration.ofSeconds(2))
                .withCommandLimits(100, 100, 200);
    }

    private static TestNode.Builder configured() {
        return TestNode.builder()
                .jwt(new JwtConfig(TestNode.SECRET, rsaPem, null, null, null, null, false,
                        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5)))
                .client(clientConfig())
                .limits(new LimitsConfig(0, 5, 0, 0))
                .http(HttpConfig.DEFAULTS.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)).withRequests(16, 0))
                // names without ':' (orders#42) are in the default namespace: presence and history on,
                // not public, so that permission (not availability) decides
                .defaults(TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                .namespace("pub", TestNode.ns(5000, Duration.ofMinutes(10), false, false, true, false))
                .namespace("orders", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                .namespace("match", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                // the subscribe proxy of px:* is a hostile backend (see hostileBackend)
                .namespace("px", TestNode.ns(100, Duration.ofMinutes(5), false, false, false, false).withProxies(true, false))
                .proxy(ProxyConfig.NONE.withUrl(ProxyKind.SUBSCRIBE, backend.url("/subscribe"))
                        .withTimeout(Duration.ofSeconds(1)).withCaps(PROXY_PENDING, 64 * 1024));
    }

    @BeforeAll
    static void start() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        rsa = gen.generateKeyPair();
        rsaPem = Pem.encode("PUBLIC KEY", rsa.getPublic().getEncoded());
        backend = new TestBackend();
        backend.on("/subscribe", SecuritySuiteTest::hostileBackend);
        Engine engine = MemoryEngine.create();
        streams = (MemoryHistoryStore) engine.history();
        node = configured().engine(() -> engine).start();
        healthy = node.connectAs("healthy", "pub:*");
        JsonNode sub = healthy.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + FEED + "\"}");
        assertThat(sub.path("type").asText()).isEqualTo("subscribed");
        healthyLast = sub.get("offset").asLong();
        feedEpoch = sub.get("epoch").asText();
        // warm up every code path the epilogue uses, so the baseline includes loaded classes and pools
        try (Ctx warm = new Ctx()) {
            for (int i = 0; i < 20; i++) {
                warm.publish("{\"warmup\":" + i + "}");
            }
            epilogue("warmup", warm, false);
        }
        baselineHeap = Heap.afterGc();
        peakHeap = baselineHeap;
    }

    @AfterAll
    static void stop() {
        if (healthy != null) {
            healthy.close();
        }
        if (node != null) {
            node.close();
        }
        if (backend != null) {
            backend.close();
        }
        StringBuilder out = new StringBuilder("\n=== SecuritySuiteTest report ===\n");
        REPORT.forEach((k, v) -> out.append(k).append(" :: ").append(v).append('\n'));
        out.append(String.format("heap baseline after GC: %.1f MiB, peak after GC: %.1f MiB, bound: %.1f MiB%n",
                baselineHeap / 1048576.0, peakHeap / 1048576.0, (baselineHeap + HEAP_HEADROOM) / 1048576.0));
        System.out.println(out);
    }

    // ------------------------------------------------------------------------------------------
    // the table
    // ------------------------------------------------------------------------------------------

    static Stream<Case> cases() {
        return Stream.of(
                new Case("alg none", "disconnect 4003 (reconnect:false) then close 4003", SecuritySuiteTest::algNone),
                new Case("HS/RS algorithm confusion", "HS256 keyed with the RSA public key (PEM or DER): disconnect 4003 + close 4003; genuine RS256 connects",
                        SecuritySuiteTest::algConfusion),
                new Case("RS256 signed by a foreign RSA key", "disconnect 4003 + close 4003", SecuritySuiteTest::foreignRsa),
                new Case("tampered signature", "payload swapped / signature flipped: disconnect 4003 + close 4003",
                        SecuritySuiteTest::tampered),
                new Case("expired token", "disconnect 4003 + close 4003 (query token and connect command)",
                        SecuritySuiteTest::expired),
                new Case("another user on a user-limited channel", "user 57 with channels ** on orders#42: permission_denied (subscribe, history, presence); user 42 subscribed",
                        SecuritySuiteTest::userLimited),
                new Case("pattern that must not match", "match:* vs match:1:private: permission_denied; match:1 subscribed",
                        SecuritySuiteTest::patternMismatch),
                new Case("channel names with bad characters", "bad_request for each, connection stays",
                        SecuritySuiteTest::badChannelChars),
                new Case("10 KB channel name", "bad_request (10 KB and 256 chars), 255 chars subscribed",
                        SecuritySuiteTest::longChannel),
                new Case("frame over the limit", "64 KiB frame answered; 64 KiB + 1: disconnect 4009 + close 4009",
                        SecuritySuiteTest::frameOverLimit),
                new Case("deeply nested JSON (10,000 levels)", "bad_request (arrays and objects), connection stays",
                        SecuritySuiteTest::deepJson),
                new Case("invalid UTF-8 text frame", "bad_request for each sequence, connection stays",
                        SecuritySuiteTest::invalidUtf8),
                new Case("invalid UTF-8: overlong, surrogate, above U+10FFFF", "bad_request for each sequence, connection stays",
                        SecuritySuiteTest::invalidUtf8Lenient),
                new Case("binary frame", "bad_request, connection stays", SecuritySuiteTest::binaryFrame),
                new Case("reserved opcode 0x3", "disconnect 4001 + close 4001 (malformed WebSocket frame)",
                        SecuritySuiteTest::reservedOpcode),
                new Case("10,000 garbage frames", "bad_request x200, then too_many_requests, then disconnect 4001 + close 4001 "
, SecuritySuiteTest::garbageFloodSurvival),
                new Case("garbage flood at 2,000 frames/s for 2.5 s", "bad_request, too_many_requests, then disconnect 4001 + close 4001",
                        SecuritySuiteTest::pacedGarbageFlood),
                new Case("WebSocket ping flood (10,000 control pings)", "every ping answered with a pong echoing it, connection stays",
                        SecuritySuiteTest::controlPingFlood),
                new Case("JSON ping flood (10,000 pings)", "pong x200, then too_many_requests, then disconnect 4001 + close 4001",
                        SecuritySuiteTest::jsonPingFlood),
                new Case("subscribe flood (1,000 subscribes)", "subscribed x100, limit_exceeded for the rest of the burst, too_many_requests, close 4001",
                        SecuritySuiteTest::subscribeFlood),
                new Case("connection flood from one user (20)", "5 connected, 6th..20th disconnect 4008 (reconnect:true) + close 4008; a slot freed is reusable",
                        SecuritySuiteTest::connectionFlood),
                new Case("client that never reads, 1,000 x 4 KB published", "closed as slow consumer (4004, TCP closed), every publication acknowledged",
                        SecuritySuiteTest::neverReads),
                new Case("client that disconnects mid-write", "half a frame then FIN / RST while the server writes: nothing breaks, connection released",
                        SecuritySuiteTest::midWriteDisconnect),
                new Case("SIGTERM during a publish burst (separate node)", "every HTTP 200 publish delivered in order before "
                        + "disconnect 4000; publishes after the drain began get 503 not_available or fail to connect",
                        SecuritySuiteTest::sigtermDuringBurst),
                new Case("SIGTERM during a publish burst: delivery up to the 4000 frame (separate node)",
                        "publications delivered in order with no gap, then disconnect 4000 (reconnect:true) + close 4000; publishes get 503 not_available while draining, then a connection error once the node is closed",
                        SecuritySuiteTest::sigtermDeliveryOnly),
                new Case("plain HTTP tricks at once: 20 silent sockets, 10 slowloris heads, 10 unauthenticated 1 MB uploads, "
                        + "2 x 6,000 pipelined /metrics never read",
                        "uploads answered 401 at once; every other socket closed by the server within its deadline (2 s head, "
                        + "2 s write)", SecuritySuiteTest::httpTricks),
                new Case("recovery replay of 200 x 64 KB (50 x max_queue_bytes)", "a reader resubscribing with since gets "
                        + "all 200 once, in order, then the live ones, and stays open; one that stops reading mid-replay is "
                        + "closed as slow consumer (4004, TCP closed)", SecuritySuiteTest::largeReplay),
                new Case("client publish reusing another user's idempotency key",
                        "the other user's publish with the same key on the same channel is stored (next offset); the key's owner retrying gets its first result",
                        SecuritySuiteTest::foreignIdempotencyKey),
                new Case("one user names 50,000 new channels (/poll and subscribe)",
                        "every poll and subscribe answered; no channel state kept for the names (stream count back to its baseline), heap bounded",
                        SecuritySuiteTest::channelNaming),
                new Case("pattern *.*.*.* against a 252-character name (30 subscribes per event loop)",
                        "permission_denied x30 on each connection; the healthy client's pings on the same loops answered within 1 s",
                        SecuritySuiteTest::patternBacktracking),
                new Case("hostile subscribe proxy: 10 MB chunked answer, a body trickled past the deadline, a redirect, silence",
                        "not_available (temporary) for each within timeout + 1 s, the 10 MB cut at 64 KiB (heap bounded), the redirect "
                        + "not followed; connection stays", SecuritySuiteTest::hostileSubscribeProxy),
                new Case("subscribe-proxy burst: 200 subscribes on 40 connections while the backend stalls",
                        "16 calls wait (proxy.max_pending), every other subscribe too_many_requests at once; the healthy client's "
                        + "pings answered meanwhile; once it answers the 16 waiting connections get all their subscribes (16 x 5)", SecuritySuiteTest::subscribeProxyBurst),
                new Case("numbers no double holds in data (1e400, 17 digits, -0.0, 1E+2, unicode escapes)",
                        "the publisher's text byte for byte, live and in /api/history; NaN, 01, 1. and 200-level data: 400 bad_request",
                        SecuritySuiteTest::numbersPassThrough));
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void hostileClient(Case c) throws Exception {
        try (Ctx ctx = new Ctx()) {
            String observed;
            try {
                observed = c.attack().run(ctx);
            } finally {
                ctx.close();
            }
            String after = epilogue(c.name(), ctx, true);
            REPORT.put(c.name(), "expected: " + c.expected() + " | observed: " + observed + " | " + after);
        }
    }

    // ------------------------------------------------------------------------------------------
    // epilogue
    // ------------------------------------------------------------------------------------------

    private static String epilogue(String name, Ctx ctx, boolean checkHeap) throws Exception {
        // (a) the healthy subscriber still receives a fresh publication; everything before it came in order
        long probe = ctx.publish("{\"probe\":\"" + name + "\"}");
        drainHealthyTo(probe);
        // (a) a fresh client can connect, subscribe and receive
        try (WsClient fresh = node.connectAs(ctx.user("fresh"), "pub:*")) {
            JsonNode sub = fresh.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + FEED + "\"}");
            assertThat(sub.path("type").asText()).as("fresh subscribe after %s: %s", name, sub).isEqualTo("subscribed");
            long off = ctx.publish("{\"fresh\":\"" + name + "\"}");
            JsonNode got = fresh.expect("tick");
            assertThat(got.get("offset").asLong()).isEqualTo(off);
            assertThat(off).isEqualTo(sub.get("offset").asLong() + 1);
            drainHealthyTo(off);
        }
        // (c) nothing acknowledged is lost: received by the healthy subscriber in order (checked while
        // draining) and held in history
        for (long a : ctx.acked) {
            assertThat(a).as("acknowledged offset %d reached the healthy subscriber", a).isLessThanOrEqualTo(healthyLast);
        }
        long inHistory = checkHistory(ctx.acked);
        // (b) bounded: outbound queue drains, connections and subscriptions back to the healthy client's own
        awaitMetric("herald_outbound_queue_bytes", v -> v < QUEUE_BOUND, name);
        double queue = node.metric("herald_outbound_queue_bytes");
        awaitMetric("herald_connections", v -> v == 1, name);
        awaitMetric("herald_subscriptions", v -> v == 1, name);
        String heap = "";
        if (checkHeap) {
            long used = Heap.afterGc();
            peakHeap = Math.max(peakHeap, used);
            assertThat(used).as("heap used after GC following %s (baseline %d)", name, baselineHeap)
                    .isLessThan(baselineHeap + HEAP_HEADROOM);
            heap = String.format(", heap after GC %.1f MiB", used / 1048576.0);
        }
        return String.format("epilogue ok: %d acked all delivered in order and %d in history, queue %.0f B%s",
                ctx.acked.size(), inHistory, queue, heap);
    }

    /** Reads the healthy subscriber up to {@code offset}, asserting each publication is the next one. */
    private static void drainHealthyTo(long offset) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (healthyLast < offset) {
            assertThat(System.nanoTime()).as("healthy subscriber reached %d", offset).isLessThan(deadline);
            JsonNode n = healthy.next();
            assertThat(n.path("type").asText()).as("healthy got %s", n).isEqualTo("tick");
            assertThat(n.path("channel").asText()).isEqualTo(FEED);
            assertThat(n.get("offset").asLong()).as("no gap, in order, after %d", healthyLast).isEqualTo(healthyLast + 1);
            healthyLast++;
        }
    }

    /** Asserts every acknowledged offset is in {@code GET /api/history}; returns how many were checked. */
    private static long checkHistory(List<Long> acked) {
        if (acked.isEmpty()) {
            return 0;
        }
        long since = acked.getFirst() - 1;
        long last = acked.getLast();
        java.util.Set<Long> held = new java.util.HashSet<>();
        while (since < last) {
            TestNode.Reply r = node.api("GET", "/api/history/" + FEED + "?since=" + since + "&epoch=" + feedEpoch
                    + "&limit=100", null);
            assertThat(r.status()).as("history %s", r).isEqualTo(200);
            assertThat(r.json().path("recovered").asBoolean()).as("history recovered %s", r.json()).isTrue();
            JsonNode pubs = r.json().get("publications");
            assertThat(pubs.size()).isPositive();
            for (JsonNode p : pubs) {
                held.add(p.get("offset").asLong());
                since = Math.max(since, p.get("offset").asLong());
            }
        }
        for (long a : acked) {
            assertThat(held).as("acknowledged offset %d in history", a).contains(a);
        }
        return acked.size();
    }

    private static void awaitMetric(String metric, java.util.function.DoublePredicate ok, String after) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        double v;
        while (!ok.test(v = node.metric(metric))) {
            assertThat(System.nanoTime()).as("%s settles after %s (now %s)", metric, after, v).isLessThan(deadline);
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // helpers for attacks
    // ------------------------------------------------------------------------------------------

    private static ObjectNode claims(String user, long expEpochSeconds) {
        ObjectNode c = JsonCodec.MAPPER.createObjectNode();
        c.put("sub", user);
        c.put("iat", System.currentTimeMillis() / 1000);
        c.put("exp", expEpochSeconds);
        c.putArray("channels").add("pub:*");
        return c;
    }

    private static long inAnHour() {
        return System.currentTimeMillis() / 1000 + 3600;
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hs256(ObjectNode claims, byte[] key) throws Exception {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
                new Payload(JsonCodec.MAPPER.writeValueAsString(claims)));
        jws.sign(new MACSigner(key));
        return jws.serialize();
    }

    /** Expects the {@code disconnect} push with {@code code} and then the close with the same code. */
    private static String expectDisconnect(WsClient c, int code) {
        JsonNode d = c.expect("disconnect");
        assertThat(d.get("code").asInt()).as("disconnect %s", d).isEqualTo(code);
        assertThat(d.path("reconnect").asBoolean()).as("reconnect flag of %s", d)
                .isEqualTo(code == 4000 || code == 4002 || code == 4004 || code == 4005 || code == 4008 || code == 4009);
        assertThat(c.awaitClose()).as("close code").isEqualTo(code);
        return d.path("reason").asText();
    }

    /** A token must be refused after the upgrade with disconnect 4003 and close 4003. */
    private static String refused(Ctx ctx, String token) {
        return expectDisconnect(ctx.ws(token), 4003);
    }

    private static JsonNode json(RawWsClient.Frame f) throws IOException {
        return JsonCodec.MAPPER.readTree(f.payload());
    }

    /** The next text frame of a raw client, as JSON. */
    private static JsonNode nextJson(RawWsClient r) throws IOException {
        return JsonCodec.MAPPER.readTree(r.readText());
    }

    /** Sends a JSON ping with an id on a raw client and expects its pong: the connection is alive. */
    private static void assertAlive(RawWsClient r, long id) throws IOException {
        r.sendText("{\"type\":\"ping\",\"id\":" + id + "}");
        JsonNode n = nextJson(r);
        assertThat(n.path("type").asText()).as("alive: %s", n).isEqualTo("pong");
        assertThat(n.path("id").asLong()).isEqualTo(id);
    }

    private static void assertError(JsonNode n, String code) {
        assertThat(n.path("type").asText()).as("%s", n).isEqualTo("error");
        assertThat(n.path("code").asText()).as("%s", n).isEqualTo(code);
    }

    /** Every frame until the server's close frame (included), end of stream or a read timeout. */
    private static List<RawWsClient.Frame> framesUntilClose(RawWsClient r, int timeoutMillis) throws IOException {
        r.setReadTimeout(timeoutMillis);
        List<RawWsClient.Frame> out = new ArrayList<>();
        try {
            while (true) {
                RawWsClient.Frame f = r.read();
                out.add(f);
                if (f.opcode() == RawWsClient.CLOSE) {
                    return out;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close within " + timeoutMillis + " ms; got " + out.size() + " frames");
        } catch (EOFException e) {
            return out;
        } catch (IOException e) {
            return out;     // reset by the server after its close frame
        }
    }

    /** Sends {@code bytes} on a background thread (the server may close while we write). */
    private static Thread sendInBackground(RawWsClient r, byte[] bytes) {
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                r.sendRaw(bytes);
            } catch (IOException e) {
                // the server closed us mid-flood: expected
            }
        });
        return t;
    }

    private static byte[] frames(int count, java.util.function.IntFunction<byte[]> frame) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            all.writeBytes(frame.apply(i));
        }
        return all.toByteArray();
    }

    /** Connections the node closed so far, by reason ({@code herald_connections_closed_total}). */
    private static Map<String, Double> closeReasons() {
        Map<String, Double> out = new java.util.TreeMap<>();
        String prefix = "herald_connections_closed_total{";
        for (String line : node.metricsText().split("\\n")) {
            if (line.startsWith(prefix)) {
                int at = line.indexOf("reason=\"") + 8;
                out.put(line.substring(at, line.indexOf('"', at)), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** Waits until the node has closed one more connection than {@code before} shows, and returns that reason. */
    private static String closedAs(Map<String, Double> before) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Map<String, Double> now = closeReasons();
            List<String> grew = new ArrayList<>();
            now.forEach((k, v) -> {
                for (double i = before.getOrDefault(k, 0.0); i < v; i++) {
                    grew.add(k);
                }
            });
            if (!grew.isEmpty()) {
                assertThat(grew).as("exactly one connection closed by the node").hasSize(1);
                return grew.getFirst();
            }
            assertThat(System.nanoTime()).as("the node closed the connection").isLessThan(deadline);
            sleep(50);
        }
    }

    /** Counts of JSON frame kinds ("error:code" for errors), the disconnect code and the close code. */
    private record Tally(Map<String, Integer> kinds, int disconnect, int close, List<String> order) {
        static Tally of(List<RawWsClient.Frame> frames) throws IOException {
            Map<String, Integer> kinds = new LinkedHashMap<>();
            List<String> order = new ArrayList<>();
            int disconnect = -1;
            int close = -1;
            for (RawWsClient.Frame f : frames) {
                if (f.opcode() == RawWsClient.TEXT) {
                    JsonNode n = json(f);
                    String kind = n.path("type").asText();
                    if (kind.equals("error")) {
                        kind = "error:" + n.path("code").asText();
                    } else if (kind.equals("disconnect")) {
                        disconnect = n.path("code").asInt();
                    }
                    kinds.merge(kind, 1, Integer::sum);
                    if (order.isEmpty() || !order.getLast().equals(kind)) {
                        order.add(kind);
                    }
                } else if (f.opcode() == RawWsClient.CLOSE) {
                    close = f.closeCode();
                }
            }
            return new Tally(kinds, disconnect, close, order);
        }

        int count(String kind) {
            return kinds.getOrDefault(kind, 0);
        }

        @Override
        public String toString() {
            return kinds + " in runs " + order + ", disconnect " + disconnect + ", close " + close;
        }
    }

    // ------------------------------------------------------------------------------------------
    // attacks
    // ------------------------------------------------------------------------------------------

    static String algNone(Ctx ctx) {
        String user = ctx.user("none");
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64(claims(user, inAnHour()).toString());
        String genuine = node.token(claims(user, inAnHour()));
        String signature = genuine.substring(genuine.lastIndexOf('.') + 1);
        String r1 = refused(ctx, header + "." + payload + ".");
        String r2 = refused(ctx, header + "." + payload + "." + signature);
        String r3 = refused(ctx, b64("{\"alg\":\"NONE\",\"typ\":\"JWT\"}") + "." + payload + ".");
        return "4003/4003 x3 (none, none + real signature, NONE); reasons: [" + r1 + "] [" + r2 + "] [" + r3 + "]";
    }

    static String algConfusion(Ctx ctx) throws Exception {
        String user = ctx.user("rs");
        // control: the configured RSA key does verify a genuine RS256 token
        WsClient genuine = ctx.ws(TokenIssuer.sign(claims(user, inAnHour()), rsa.getPrivate(), "k1"));
        assertThat(genuine.expect("connected").get("user").asText()).isEqualTo(user);
        genuine.close();
        String r1 = refused(ctx, hs256(claims(user, inAnHour()), rsaPem.getBytes(StandardCharsets.US_ASCII)));
        String r2 = refused(ctx, hs256(claims(user, inAnHour()), rsa.getPublic().getEncoded()));
        return "genuine RS256 connected; HS256 keyed with PEM: 4003 [" + r1 + "]; with DER: 4003 [" + r2 + "]";
    }

    static String foreignRsa(Ctx ctx) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair other = gen.generateKeyPair();
        return "4003 [" + refused(ctx, TokenIssuer.sign(claims(ctx.user("foreign"), inAnHour()), other.getPrivate(), "k1")) + "]";
    }

    static String tampered(Ctx ctx) {
        String user = ctx.user("tamper");
        String token = node.token(claims(user, inAnHour()));
        String[] parts = token.split("\\.");
        ObjectNode elevated = claims("admin", inAnHour());
        elevated.putArray("channels").add("**");
        String swapped = parts[0] + "." + b64(elevated.toString()) + "." + parts[2];
        char lastChar = parts[2].charAt(parts[2].length() / 2);
        String flipped = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() / 2)
                + (lastChar == 'A' ? 'B' : 'A') + parts[2].substring(parts[2].length() / 2 + 1);
        String r1 = refused(ctx, swapped);
        String r2 = refused(ctx, flipped);
        String r3 = refused(ctx, parts[0] + "." + parts[1] + ".");
        return "payload swapped: 4003 [" + r1 + "]; signature flipped: 4003 [" + r2 + "]; signature stripped: 4003 [" + r3 + "]";
    }

    static String expired(Ctx ctx) {
        String token = node.token(claims(ctx.user("expired"), System.currentTimeMillis() / 1000 - 60));
        String r1 = refused(ctx, token);
        WsClient c = ctx.ws(null);
        c.send("{\"type\":\"connect\",\"id\":1,\"token\":\"" + token + "\"}");
        String r2 = expectDisconnect(c, 4003);
        return "?token=: 4003 [" + r1 + "]; connect command: 4003 [" + r2 + "]";
    }

    static String userLimited(Ctx ctx) {
        WsClient intruder = ctx.ws(node.token("57", List.of("**", "orders#**", "orders#42"), List.of("**"), List.of()));
        intruder.expect("connected");
        assertError(intruder.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"orders#42\"}"), "permission_denied");
        assertError(intruder.call("{\"type\":\"history\",\"id\":2,\"channel\":\"orders#42\"}"), "permission_denied");
        assertError(intruder.call("{\"type\":\"presence\",\"id\":3,\"channel\":\"orders#42\"}"), "permission_denied");
        assertError(intruder.call("{\"type\":\"publish\",\"id\":4,\"channel\":\"orders#42\",\"event\":\"x\",\"data\":{}}"),
                "permission_denied");
        WsClient owner = ctx.ws(node.token("42", List.of(), List.of(), List.of()));
        owner.expect("connected");
        JsonNode ok = owner.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"orders#42\"}");
        assertThat(ok.path("type").asText()).as("%s", ok).isEqualTo("subscribed");
        owner.call("{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"orders#42\"}");
        return "user 57 (channels **, orders#**, orders#42): subscribe/history/presence/publish permission_denied; "
                + "user 42: subscribed";
    }

    static String patternMismatch(Ctx ctx) {
        WsClient c = ctx.ws(ctx.token(ctx.user("pattern"), "match:*"));
        c.expect("connected");
        assertError(c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"match:1:private\"}"), "permission_denied");
        assertError(c.call("{\"type\":\"history\",\"id\":2,\"channel\":\"match:1:private\"}"), "permission_denied");
        assertError(c.call("{\"type\":\"subscribe\",\"id\":3,\"channel\":\"match:\"}"), "permission_denied");
        JsonNode ok = c.call("{\"type\":\"subscribe\",\"id\":4,\"channel\":\"match:1\"}");
        assertThat(ok.path("type").asText()).as("%s", ok).isEqualTo("subscribed");
        c.call("{\"type\":\"unsubscribe\",\"id\":5,\"channel\":\"match:1\"}");
        return "match:1:private and match: permission_denied; match:1 subscribed";
    }

    static String badChannelChars(Ctx ctx) {
        WsClient c = ctx.ws(ctx.token(ctx.user("chars"), "**"));
        c.expect("connected");
        List<String> names = List.of("pub:a/b", "pub:a b", "pub:caf\u00e9", "", "pub:<script>", "pub:a\\u0000b",
                "pub:a\\nb", "orders#42,,57", "orders#", "pub:\u202e", "pub:a%2Fb", "pub:a*", "pub:a?b");
        int id = 0;
        for (String name : names) {
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":" + (++id) + ",\"channel\":\"" + name + "\"}");
            assertThat(e.path("code").asText()).as("channel %s -> %s", name, e).isEqualTo("bad_request");
            assertThat(e.path("id").asInt()).isEqualTo(id);
        }
        JsonNode p = c.call("{\"type\":\"publish\",\"id\":99,\"channel\":\"pub:a/b\",\"event\":\"x\",\"data\":{}}");
        assertError(p, "bad_request");
        c.expectNothingPending();
        TestNode.Reply api = node.api("POST", "/api/publish", "{\"channel\":\"pub:a/b\",\"type\":\"x\",\"data\":{}}");
        assertThat(api.status()).isEqualTo(400);
        assertThat(api.errorCode()).isEqualTo("bad_request");
        return names.size() + " names: bad_request each, connection alive; API publish to pub:a/b: 400 bad_request";
    }

    static String longChannel(Ctx ctx) {
        WsClient c = ctx.ws(ctx.token(ctx.user("long"), "**"));
        c.expect("connected");
        assertError(c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"pub:" + "a".repeat(10 * 1024) + "\"}"), "bad_request");
        assertError(c.call("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"pub:" + "a".repeat(252) + "\"}"), "bad_request");
        JsonNode ok = c.call("{\"type\":\"subscribe\",\"id\":3,\"channel\":\"pub:" + "a".repeat(251) + "\"}");
        assertThat(ok.path("type").asText()).as("%s", ok).isEqualTo("subscribed");
        c.call("{\"type\":\"unsubscribe\",\"id\":4,\"channel\":\"pub:" + "a".repeat(251) + "\"}");
        TestNode.Reply api = node.api("GET", "/api/history/pub:" + "a".repeat(10 * 1024), null);
        assertThat(api.status()).isEqualTo(400);
        return "10 KB: bad_request; 256 chars: bad_request; 255 chars: subscribed; API history with 10 KB name: 400";
    }

    static String frameOverLimit(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("big"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        String head = "{\"type\":\"ping\",\"id\":1,\"timestamp\":\"";
        String tail = "\"}";
        String exact = head + "x".repeat(MAX_FRAME - head.length() - tail.length()) + tail;
        assertThat(exact.length()).isEqualTo(MAX_FRAME);
        r.sendText(exact);
        JsonNode pong = nextJson(r);
        assertThat(pong.path("type").asText()).isEqualTo("pong");
        String over = head + "x".repeat(MAX_FRAME + 1 - head.length() - tail.length()) + tail;
        Thread t = sendInBackground(r, RawWsClient.encode(RawWsClient.TEXT, over.getBytes(StandardCharsets.UTF_8), true));
        Tally tally = Tally.of(framesUntilClose(r, 5000));
        t.join(5000);
        assertThat(tally.disconnect()).as("%s", tally).isEqualTo(4009);
        assertThat(tally.close()).as("%s", tally).isEqualTo(4009);
        assertThat(tally.kinds().keySet()).as("%s", tally).containsExactly("disconnect");
        // the same through a fragmented message (aggregated size over the limit)
        RawWsClient f = ctx.raw(ctx.token(ctx.user("big"), "pub:*"));
        assertThat(nextJson(f).path("type").asText()).isEqualTo("connected");
        byte[] half = new byte[MAX_FRAME / 2 + 1];
        java.util.Arrays.fill(half, (byte) 'x');
        ByteArrayOutputStream frag = new ByteArrayOutputStream();
        frag.writeBytes(RawWsClient.encode(RawWsClient.TEXT, half, false));
        frag.writeBytes(RawWsClient.encode(0x0, half, true));
        Thread t2 = sendInBackground(f, frag.toByteArray());
        Tally tally2 = Tally.of(framesUntilClose(f, 5000));
        t2.join(5000);
        assertThat(tally2.disconnect()).as("%s", tally2).isEqualTo(4009);
        assertThat(tally2.close()).as("%s", tally2).isEqualTo(4009);
        return "exactly 64 KiB: pong; 64 KiB + 1 in one frame: " + tally + "; in two fragments: " + tally2;
    }

    static String deepJson(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("deep"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        String arrays = "{\"type\":\"ping\",\"id\":1,\"timestamp\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        r.sendText(arrays);
        JsonNode e1 = nextJson(r);
        assertError(e1, "bad_request");
        assertAlive(r, 2);
        StringBuilder objects = new StringBuilder("{\"type\":\"ping\",\"id\":3,\"timestamp\":");
        objects.append("{\"a\":".repeat(10_000)).append("1").append("}".repeat(10_000)).append("}");
        assertThat(objects.length()).isLessThan(MAX_FRAME);
        r.sendText(objects.toString());
        JsonNode e2 = nextJson(r);
        assertError(e2, "bad_request");
        assertAlive(r, 4);
        // unterminated: 10,000 opening brackets and nothing else
        r.sendText("[".repeat(10_000));
        assertError(nextJson(r), "bad_request");
        assertAlive(r, 5);
        return "arrays: bad_request [" + e1.path("message").asText() + "]; objects: bad_request; unterminated: bad_request; alive";
    }

    static String invalidUtf8(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("utf8"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        byte[][] bad = {
                {(byte) 0xFF},                               // never valid
                {(byte) 0xC3, (byte) 0x28},                  // bad continuation
                {(byte) 0xE2, (byte) 0x82},                  // truncated sequence
                {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},   // 5-byte form
        };
        List<String> messages = new ArrayList<>();
        long id = 10;
        for (byte[] seq : bad) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.writeBytes("{\"type\":\"ping\",\"timestamp\":\"a".getBytes(StandardCharsets.UTF_8));
            frame.writeBytes(seq);
            frame.writeBytes("b\"}".getBytes(StandardCharsets.UTF_8));
            r.send(RawWsClient.TEXT, frame.toByteArray());
            JsonNode e = nextJson(r);
            assertError(e, "bad_request");
            messages.add(e.path("message").asText());
            assertAlive(r, id++);
        }
        // invalid UTF-8 in a key and outside any string
        r.send(RawWsClient.TEXT, new byte[] {'{', '"', (byte) 0xFE, '"', ':', '1', '}'});
        assertError(nextJson(r), "bad_request");
        r.send(RawWsClient.TEXT, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xFF});
        assertError(nextJson(r), "bad_request");
        assertAlive(r, id);
        return (bad.length + 2) + " sequences: bad_request each, connection alive; e.g. [" + messages.getFirst() + "]";
    }

    /**
     * Sequences that are not UTF-8 under RFC 3629 although a lenient decoder maps them to characters:
     * overlong forms (which smuggle ASCII such as '/' past byte-level checks), UTF-16 surrogates and
     * code points above U+10FFFF. Each must be refused like any other invalid UTF-8.
     */
    static String invalidUtf8Lenient(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("utf8"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        byte[][] bad = {
                {(byte) 0xC0, (byte) 0xAF},                              // overlong '/' (2 bytes)
                {(byte) 0xC1, (byte) 0xBF},                              // overlong U+007F
                {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},                 // overlong '/' (3 bytes)
                {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},    // overlong '/' (4 bytes)
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},                 // surrogate U+D800
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},    // U+110000, above the Unicode range
        };
        long id = 10;
        List<String> accepted = new ArrayList<>();
        for (byte[] seq : bad) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.writeBytes("{\"type\":\"ping\",\"timestamp\":\"a".getBytes(StandardCharsets.UTF_8));
            frame.writeBytes(seq);
            frame.writeBytes("b\"}".getBytes(StandardCharsets.UTF_8));
            r.send(RawWsClient.TEXT, frame.toByteArray());
            JsonNode e = nextJson(r);
            if (!e.path("code").asText().equals("bad_request")) {
                accepted.add(java.util.HexFormat.of().formatHex(seq) + " -> " + e);
            }
            assertAlive(r, id++);
        }
        assertThat(accepted).as("invalid UTF-8 accepted instead of bad_request").isEmpty();
        return bad.length + " sequences: bad_request each, connection alive";
    }

    static String binaryFrame(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("binary"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        r.send(RawWsClient.BINARY, "{\"type\":\"ping\",\"id\":1}".getBytes(StandardCharsets.UTF_8));
        JsonNode e = nextJson(r);
        assertError(e, "bad_request");
        r.send(RawWsClient.BINARY, new byte[] {0, 1, 2, (byte) 0xFF});
        assertError(nextJson(r), "bad_request");
        assertAlive(r, 2);
        return "bad_request [" + e.path("message").asText() + "] x2, connection alive";
    }

    static String reservedOpcode(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("opcode"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        r.send(0x3, "hello".getBytes(StandardCharsets.UTF_8));
        Tally t = Tally.of(framesUntilClose(r, 5000));
        assertThat(t.disconnect()).as("%s", t).isEqualTo(4001);
        assertThat(t.close()).as("%s", t).isEqualTo(4001);
        return t.toString();
    }

    /**
     * Frames of a flood until the node closes the connection, and the reason the node closed it with
     * (from its metrics: a client still writing when the node closes may get a TCP reset that
     * discards the disconnect and close frames in flight, so the frames alone cannot tell).
     */
    private record Flood(Tally tally, String reason) {
        /** The close code the node used; asserts the frames agree when they arrived. */
        int code() {
            int code = switch (reason) {
                case "bad_request" -> 4001;
                case "slow_consumer" -> 4004;
                case "frame_too_large" -> 4009;
                default -> -1;
            };
            if (tally.close() != -1) {
                assertThat(tally.close()).as("close frame agrees with the node's reason %s", reason).isEqualTo(code);
            }
            if (tally.disconnect() != -1) {
                assertThat(tally.disconnect()).as("disconnect push agrees with the node's reason %s", reason).isEqualTo(code);
            }
            return code;
        }

        @Override
        public String toString() {
            return tally + ", node closed it as " + reason;
        }
    }

    private static Flood flood(RawWsClient r, byte[] bytes) throws Exception {
        Map<String, Double> before = closeReasons();
        Thread sender = sendInBackground(r, bytes);
        List<RawWsClient.Frame> frames = framesUntilClose(r, 10_000);
        sender.join(10_000);
        return new Flood(Tally.of(frames), closedAs(before));
    }

    /** 20 garbage frames every 10 ms (2,000/s, twenty times command_rate) for 2.5 s, reading all the while. */
    static String pacedGarbageFlood(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("garbage"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        byte[] batch = garbageFrames(20);
        Map<String, Double> before = closeReasons();
        Thread sender = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < 250; i++) {
                    r.sendRaw(batch);
                    Thread.sleep(10);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server: what the case expects
            }
        });
        List<RawWsClient.Frame> frames = framesUntilClose(r, 4000);
        sender.join(5000);
        Flood f = new Flood(Tally.of(frames), closedAs(before));
        assertClosedAsFlood(f);
        return f.toString();
    }

    /** 10,000 garbage frames as fast as possible: errors, then the flood close 4001. */
    static String garbageFloodSurvival(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("garbage"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        Flood f = flood(r, garbageFrames(10_000));
        Tally t = f.tally();
        assertThat(t.count("error:bad_request")).as("%s", f).isGreaterThanOrEqualTo(200);
        assertThat(t.count("error:too_many_requests")).as("%s", f).isPositive();
        assertClosedAsFlood(f);
        return f.toString();
    }

    /** {@code n} masked text frames of unparseable JSON. */
    private static byte[] garbageFrames(int n) {
        return frames(n, i -> RawWsClient.encode(RawWsClient.TEXT,
                ("garbage " + i + " }{][").getBytes(StandardCharsets.UTF_8), true));
    }

    /** A garbage flood gets only errors and the disconnect, and ends with the flood close 4001. */
    private static void assertClosedAsFlood(Flood f) {
        assertThat(f.tally().kinds().keySet()).as("%s", f)
                .isSubsetOf("error:bad_request", "error:too_many_requests", "disconnect");
        assertThat(f.code()).as("%s", f).isEqualTo(4001);
    }

    static String controlPingFlood(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("pinger"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        int n = 10_000;
        byte[] flood = frames(n, i -> RawWsClient.encode(RawWsClient.PING,
                String.format("%08d", i).getBytes(StandardCharsets.US_ASCII), true));
        Thread sender = sendInBackground(r, flood);
        r.setReadTimeout(10_000);
        int pongs = 0;
        int inOrder = 0;
        while (pongs < n) {
            RawWsClient.Frame f = r.read();
            if (f.opcode() == RawWsClient.PONG) {
                if (new String(f.payload(), StandardCharsets.US_ASCII).equals(String.format("%08d", pongs))) {
                    inOrder++;
                }
                pongs++;
            } else if (f.opcode() == RawWsClient.CLOSE) {
                throw new AssertionError("closed with " + f.closeCode() + " after " + pongs + " pongs");
            }
        }
        sender.join(10_000);
        assertThat(inOrder).isEqualTo(n);
        assertAlive(r, 1);
        return pongs + " pongs, each echoing its ping in order; JSON ping still answered";
    }

    static String jsonPingFlood(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("jsonping"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        byte[] flood = frames(10_000, i -> RawWsClient.encode(RawWsClient.TEXT,
                ("{\"type\":\"ping\",\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8), true));
        Flood f = flood(r, flood);
        Tally t = f.tally();
        assertThat(t.count("pong")).as("%s", f).isGreaterThanOrEqualTo(200);
        assertThat(t.count("error:too_many_requests")).as("%s", f).isPositive();
        assertThat(t.kinds().keySet()).as("%s", f).isSubsetOf("pong", "error:too_many_requests", "disconnect");
        assertThat(f.code()).as("%s", f).isEqualTo(4001);
        return f.toString();
    }

    static String subscribeFlood(Ctx ctx) throws Exception {
        RawWsClient r = ctx.raw(ctx.token(ctx.user("subflood"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        byte[] flood = frames(1_000, i -> RawWsClient.encode(RawWsClient.TEXT,
                ("{\"type\":\"subscribe\",\"id\":" + (i + 1) + ",\"channel\":\"pub:s" + i + "\"}")
                        .getBytes(StandardCharsets.UTF_8), true));
        Map<String, Double> before = closeReasons();
        Thread sender = sendInBackground(r, flood);
        List<RawWsClient.Frame> frames = framesUntilClose(r, 10_000);
        sender.join(10_000);
        Flood f = new Flood(Tally.of(frames), closedAs(before));
        Tally t = f.tally();
        // the first 100 replies (ids 1..100) are the subscriptions, in order
        List<Long> subscribedIds = new ArrayList<>();
        for (RawWsClient.Frame frame : frames) {
            if (frame.opcode() == RawWsClient.TEXT && json(frame).path("type").asText().equals("subscribed")) {
                subscribedIds.add(json(frame).path("id").asLong());
            }
        }
        assertThat(t.count("subscribed")).as("%s", f).isEqualTo(100);
        assertThat(subscribedIds.getFirst()).isEqualTo(1);
        assertThat(subscribedIds.getLast()).isEqualTo(100);
        assertThat(t.count("error:limit_exceeded")).as("%s", f).isGreaterThanOrEqualTo(100);
        assertThat(t.count("error:too_many_requests")).as("%s", f).isPositive();
        assertThat(t.kinds().keySet()).as("%s", f)
                .isSubsetOf("subscribed", "error:limit_exceeded", "error:too_many_requests", "disconnect");
        assertThat(f.code()).as("%s", f).isEqualTo(4001);
        return f.toString();
    }

    static String connectionFlood(Ctx ctx) {
        String user = ctx.user("flooder");
        String token = ctx.token(user, "pub:*");
        List<WsClient> connected = new ArrayList<>();
        int refused = 0;
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            WsClient c = ctx.ws(token);
            JsonNode first = c.next();
            if (first.path("type").asText().equals("connected")) {
                assertThat(i).as("connection %d accepted", i + 1).isLessThan(5);
                connected.add(c);
            } else {
                assertThat(i).as("connection %d refused: %s", i + 1, first).isGreaterThanOrEqualTo(5);
                assertThat(first.path("type").asText()).as("%s", first).isEqualTo("disconnect");
                assertThat(first.get("code").asInt()).isEqualTo(4008);
                assertThat(first.path("reconnect").asBoolean()).isTrue();
                assertThat(c.awaitClose()).isEqualTo(4008);
                reasons.add(first.path("reason").asText());
                refused++;
            }
        }
        assertThat(connected).hasSize(5);
        assertThat(refused).isEqualTo(15);
        for (WsClient c : connected) {
            c.expectNothingPending();
        }
        // a freed slot is reusable: refused connections did not keep counting
        connected.getFirst().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            WsClient again = ctx.ws(token);
            JsonNode first = again.next();
            if (first.path("type").asText().equals("connected")) {
                break;
            }
            assertThat(System.nanoTime()).as("slot freed after a close").isLessThan(deadline);
            sleep(50);
        }
        return "5 connected, 15 x disconnect 4008 reconnect:true + close 4008 [" + reasons.getFirst()
                + "]; after one closed, a new one connected";
    }

    static String httpTricks(Ctx ctx) throws Exception {
        long start = System.nanoTime();
        List<java.net.Socket> silent = new ArrayList<>();
        List<java.net.Socket> drippers = new ArrayList<>();
        List<java.net.Socket> pipeliners = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            silent.add(ctx.track(httpSocket(0)));
        }
        for (int i = 0; i < 10; i++) {
            java.net.Socket s = ctx.track(httpSocket(0));
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            drippers.add(s);
        }
        AtomicBoolean dripping = new AtomicBoolean(true);
        Thread drip = Thread.ofVirtual().start(() -> {
            while (dripping.get()) {
                for (java.net.Socket s : drippers) {
                    try {
                        s.getOutputStream().write('X');
                    } catch (IOException cut) {
                        // the server hung up: the point
                    }
                }
                sleep(200);
            }
        });
        int refusedAtOnce = 0;
        for (int i = 0; i < 10; i++) {
            try (java.net.Socket s = httpSocket(0)) {
                s.getOutputStream().write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n{\"a\":"
                        .getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(1000);
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                if (answer.startsWith("HTTP/1.1 401 ")) {
                    refusedAtOnce++;
                }
            }
        }
        byte[] many = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(6000).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2; i++) {
            java.net.Socket s = ctx.track(httpSocket(4096));
            pipeliners.add(s);
            Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(many);
                } catch (IOException cut) {
                    // the server stopped reading and closed
                }
            });
        }
        assertThat(refusedAtOnce).as("unauthenticated uploads answered 401 before their body").isEqualTo(10);
        try {
            for (java.net.Socket s : silent) {
                assertThat(closedByServer(s, false)).as("silent socket closed").isTrue();
            }
            for (java.net.Socket s : drippers) {
                assertThat(closedByServer(s, false)).as("slowloris socket closed").isTrue();
            }
            sleep(3000); // the pipeliners read nothing for longer than the write deadline
            for (java.net.Socket s : pipeliners) {
                assertThat(closedByServer(s, true)).as("pipelining socket closed").isTrue();
            }
        } finally {
            dripping.set(false);
            drip.join(2000);
        }
        return "10/10 uploads refused 401 at once; 20 silent, 10 slowloris and 2 pipelining sockets closed by the server within "
                + (System.nanoTime() - start) / 1_000_000 + " ms";
    }

    private static java.net.Socket httpSocket(int receiveBuffer) throws IOException {
        java.net.Socket s = new java.net.Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()), 5000);
        return s;
    }

    /** Reads (and drops) what the server sends until it closes; false when it is still open after 8 s. */
    private static boolean closedByServer(java.net.Socket s, boolean drain) throws IOException {
        s.setSoTimeout(8000);
        byte[] sink = new byte[8192];
        try {
            while (s.getInputStream().read(sink) >= 0) {
                if (!drain) {
                    return false;
                }
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    static String neverReads(Ctx ctx) throws Exception {
        double slowBefore = node.metric("herald_slow_consumer_closes_total");
        RawWsClient r = ctx.raw(ctx.token(ctx.user("sloth"), "pub:*"), 4096);
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        r.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + FEED + "\"}");
        assertThat(nextJson(r).path("type").asText()).isEqualTo("subscribed");
        // from here on the client never reads
        String data = "{\"blob\":\"" + "x".repeat(4000) + "\"}";
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            ctx.publish(data);
        }
        long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // the server gives up on it as a slow consumer (queue over 256 KiB or 2 s unwritable)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        while (node.metric("herald_slow_consumer_closes_total") <= slowBefore) {
            assertThat(System.nanoTime()).as("slow consumer detected").isLessThan(deadline);
            sleep(50);
        }
        long detectedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(r.closedWithin(8000)).as("server closed the TCP connection").isTrue();
        double closedSlow = node.metric("herald_connections_closed_total{reason=\"slow_consumer\"}");
        return String.format("1000 x 4 KB acknowledged in %d ms; slow consumer detected at %d ms (4004), TCP closed; "
                + "connections closed as slow_consumer so far: %.0f", publishMillis, detectedMillis, closedSlow);
    }

    static String midWriteDisconnect(Ctx ctx) throws Exception {
        // 1. half a frame, then FIN
        RawWsClient half = ctx.raw(ctx.token(ctx.user("half"), "pub:*"));
        assertThat(nextJson(half).path("type").asText()).isEqualTo("connected");
        byte[] frame = RawWsClient.encode(RawWsClient.TEXT,
                ("{\"type\":\"ping\",\"timestamp\":\"" + "y".repeat(1000) + "\"}").getBytes(StandardCharsets.UTF_8), true);
        half.sendRaw(java.util.Arrays.copyOf(frame, frame.length / 2));
        half.close();
        // 2. half a frame, then RST
        RawWsClient reset = ctx.raw(ctx.token(ctx.user("half"), "pub:*"));
        assertThat(nextJson(reset).path("type").asText()).isEqualTo("connected");
        reset.sendRaw(java.util.Arrays.copyOf(frame, 3));
        reset.abort();
        // 3. a subscriber dropped (RST) while the server is writing a burst to it
        RawWsClient reader = ctx.raw(ctx.token(ctx.user("dropper"), "pub:*"), 4096);
        assertThat(nextJson(reader).path("type").asText()).isEqualTo("connected");
        reader.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + FEED + "\"}");
        assertThat(nextJson(reader).path("type").asText()).isEqualTo("subscribed");
        String data = "{\"blob\":\"" + "z".repeat(4000) + "\"}";
        AtomicBoolean stop = new AtomicBoolean();
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 200 && !stop.get(); i++) {
                synchronized (ctx) {
                    ctx.publish(data);
                }
            }
        });
        RawWsClient.Frame got;
        do {
            got = reader.read();
        } while (got.opcode() != RawWsClient.TEXT || !json(got).path("type").asText().equals("tick"));
        reader.abort();
        publisher.join(20_000);
        assertThat(publisher.isAlive()).isFalse();
        // 4. the upgrade request itself cut in half
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", node.port())) {
            s.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        }
        return "half frame + FIN, half header + RST, RST during a 200 x 4 KB burst (" + ctx.acked.size()
                + " acked), half upgrade request: all released";
    }

    // ------------------------------------------------------------------------------------------
    // SIGTERM during a publish burst, on a separate node
    // ------------------------------------------------------------------------------------------

    /** One publisher request against the draining node. */
    private record Attempt(long startedNanos, long answeredNanos, int status, long offset, String failure) {
    }

    static String sigtermDuringBurst(Ctx ctx) throws Exception {
        return sigterm(ctx, true);
    }

    static String sigtermDeliveryOnly(Ctx ctx) throws Exception {
        return sigterm(ctx, false);
    }

    /** {@code noLoss}: every HTTP 200 must have been delivered before the 4000 frame. */
    private static String sigterm(Ctx ctx, boolean noLoss) throws Exception {
        TestNode drained = ctx.track(configured().drainWindow(Duration.ofSeconds(1)).start());
        String channel = "pub:drain";
        WsClient sub = drained.connectAs("drain-sub", "pub:*");
        ctx.track(sub);
        JsonNode subscribed = sub.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
        assertThat(subscribed.path("type").asText()).isEqualTo("subscribed");
        long from = subscribed.get("offset").asLong();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger seq = new AtomicInteger();
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            publishers.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    int i = seq.incrementAndGet();
                    long started = System.nanoTime();
                    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + drained.port() + "/api/publish"))
                            .timeout(Duration.ofSeconds(3))
                            .header("Authorization", "apikey " + TestNode.API_KEY)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"channel\":\"" + channel
                                    + "\",\"type\":\"tick\",\"data\":{\"i\":" + i + "}}"))
                            .build();
                    try {
                        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                        long offset = res.statusCode() == 200
                                ? JsonCodec.MAPPER.readTree(res.body()).get("offset").asLong() : -1;
                        attempts.add(new Attempt(started, System.nanoTime(), res.statusCode(), offset, null));
                    } catch (IOException e) {
                        attempts.add(new Attempt(started, System.nanoTime(), -1, -1, e.getClass().getSimpleName()));
                        sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        sleep(400);
        long drainStart = System.nanoTime();
        drained.server.shutdown();
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart);
        sleep(200);
        stop.set(true);
        for (Thread t : publishers) {
            t.join(5000);
        }
        // what the subscriber received before its disconnect 4000
        List<Long> received = new ArrayList<>();
        JsonNode disconnect = null;
        while (disconnect == null) {
            JsonNode n = sub.next();
            switch (n.path("type").asText()) {
                case "tick" -> received.add(n.get("offset").asLong());
                case "disconnect" -> disconnect = n;
                default -> throw new AssertionError("unexpected frame " + n);
            }
        }
        assertThat(disconnect.get("code").asInt()).isEqualTo(4000);
        assertThat(disconnect.path("reconnect").asBoolean()).isTrue();
        assertThat(sub.awaitClose()).isEqualTo(4000);
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).as("in order, no gap").isEqualTo(from + 1 + i);
        }
        long lastReceived = received.isEmpty() ? from : received.getLast();
        List<Attempt> all = new ArrayList<>(attempts);
        List<Attempt> ok = all.stream().filter(a -> a.status() == 200).toList();
        List<Attempt> lost = ok.stream().filter(a -> a.offset() > lastReceived).toList();
        List<Attempt> afterDrain = all.stream().filter(a -> a.startedNanos() >= drainStart).toList();
        long afterDrainOk = afterDrain.stream().filter(a -> a.status() == 200).count();
        Map<String, Long> failures = new java.util.TreeMap<>();
        for (Attempt a : all) {
            if (a.status() != 200) {
                failures.merge(a.failure() != null ? a.failure() : "HTTP " + a.status(), 1L, Long::sum);
            }
        }
        long lostBeforeDrain = lost.stream().filter(a -> a.startedNanos() < drainStart).count();
        String summary = String.format("%d requests, %d HTTP 200 (%d started after the drain began), %d delivered before "
                        + "disconnect 4000, drain took %d ms; failures %s; 200-then-lost: %d (%d started before the drain) %s",
                all.size(), ok.size(), afterDrainOk, received.size(), drainMillis, failures, lost.size(), lostBeforeDrain,
                lost.stream().map(Attempt::offset).sorted().toList());
        assertThat(ok).as("some publishes were acknowledged").isNotEmpty();
        if (noLoss) {
            assertThat(lost.stream().map(Attempt::offset).toList()).as("acknowledged but never delivered: " + summary).isEmpty();
        }
        assertThat(all.stream().filter(a -> a.status() != 200 && a.status() != -1 && a.status() != 503).toList())
                .as("replies other than 200, 503 (draining) and connection errors: " + summary).isEmpty();
        // a request sent just before the drain may be answered 503 once it began; none is answered 503 before
        assertThat(all.stream().filter(a -> a.status() == 503 && a.answeredNanos() < drainStart).toList())
                .as("503 only once the drain has begun: " + summary).isEmpty();
        return summary;
    }

    // ------------------------------------------------------------------------------------------
    // a recovery replay far larger than max_queue_bytes
    // ------------------------------------------------------------------------------------------

    static String largeReplay(Ctx ctx) throws Exception {
        String channel = "pub:replay-" + USERS.incrementAndGet();
        TestNode.Reply first = node.api("POST", "/api/publish", "{\"channel\":\"" + channel + "\",\"type\":\"first\",\"data\":{}}");
        assertThat(first.status()).isEqualTo(200);
        long since = first.json().get("offset").asLong();
        String subscribe = "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\",\"since\":{\"offset\":"
                + since + ",\"epoch\":\"" + first.json().get("epoch").asText() + "\"}}";
        String pad = "r".repeat(64 * 1024);
        int missed = 200;
        for (int i = 1; i <= missed; i++) {
            node.publish(channel, "big", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
        }
        double slowBefore = node.metric("herald_slow_consumer_closes_total");
        // a reader: everything once, in order, the live ones (made while it pauses) after the replay
        RawWsClient reader = ctx.raw(ctx.token(ctx.user("replayer"), "pub:*"));
        assertThat(nextJson(reader).path("type").asText()).isEqualTo("connected");
        long start = System.nanoTime();
        reader.sendText(subscribe);
        JsonNode subscribed = nextJson(reader);
        assertThat(subscribed.path("recovered").asBoolean()).as("%s", subscribed).isTrue();
        assertThat(subscribed.path("offset").asLong()).isEqualTo(since + missed);
        int live = 5;
        for (int k = 1; k <= missed + live; k++) {
            if (k == 6) {
                for (int i = 1; i <= live; i++) {
                    node.publish(channel, "live", "{\"i\":" + (missed + i) + "}");
                }
            }
            JsonNode p = nextJson(reader);
            assertThat(p.path("offset").asLong()).as("frame %d (%s)", k, p.path("type")).isEqualTo(since + k);
            assertThat(p.path("type").asText()).isEqualTo(k <= missed ? "big" : "live");
            assertThat(p.path("data").path("i").asInt()).isEqualTo(k);
        }
        long replayMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertAlive(reader, 7);
        assertThat(node.metric("herald_slow_consumer_closes_total")).as("the reader was not closed").isEqualTo(slowBefore);
        // a reader that stops after 50: closed as a slow consumer within write_timeout (2 s)
        RawWsClient staller = ctx.raw(ctx.token(ctx.user("staller"), "pub:*"), 4096);
        assertThat(nextJson(staller).path("type").asText()).isEqualTo("connected");
        staller.sendText(subscribe);
        assertThat(nextJson(staller).path("recovered").asBoolean()).isTrue();
        for (int k = 1; k <= 50; k++) {
            assertThat(nextJson(staller).path("offset").asLong()).isEqualTo(since + k);
        }
        long stopped = System.nanoTime();
        long deadline = stopped + TimeUnit.SECONDS.toNanos(8);
        while (node.metric("herald_slow_consumer_closes_total") <= slowBefore) {
            assertThat(System.nanoTime()).as("the stalled reader is closed as a slow consumer").isLessThan(deadline);
            sleep(50);
        }
        long closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        assertThat(staller.closedWithin(8000)).as("server closed the TCP connection").isTrue();
        return String.format("%d x 64 KB (%.1f MiB) replayed to a reader with %d live ones after them in %d ms, not closed; "
                + "a reader stopping after 50 closed as slow consumer %d ms later, TCP closed", missed,
                missed * 64 / 1024.0, live, replayMillis, closedMillis);
    }

    /**
     * A client's idempotency key counts only for its own user: one user cannot make another user's
     * publish look like a duplicate (and be silently dropped) by publishing first with the same key.
     */
    static String foreignIdempotencyKey(Ctx ctx) {
        String channel = "pub:idem-" + USERS.incrementAndGet();
        String owner = ctx.user("idem-owner");
        String other = ctx.user("idem-other");
        WsClient a = ctx.ws(node.token(owner, List.of("pub:*"), List.of("pub:*"), List.of()));
        a.expect("connected");
        WsClient b = ctx.ws(node.token(other, List.of("pub:*"), List.of("pub:*"), List.of()));
        b.expect("connected");
        String publish = "{\"type\":\"publish\",\"id\":%d,\"channel\":\"" + channel
                + "\",\"event\":\"x\",\"data\":%d,\"idempotency_key\":\"order-1\"}";
        JsonNode first = a.call(String.format(publish, 1, 1));
        JsonNode foreign = b.call(String.format(publish, 1, 2));
        JsonNode retry = a.call(String.format(publish, 2, 1));
        assertThat(first.path("type").asText()).as("%s", first).isEqualTo("published");
        assertThat(foreign.path("type").asText()).as("%s", foreign).isEqualTo("published");
        assertThat(foreign.path("offset").asLong()).isEqualTo(first.path("offset").asLong() + 1);
        assertThat(retry.path("offset").asLong()).isEqualTo(first.path("offset").asLong());
        JsonNode held = node.api("GET", "/api/history/" + channel, null).json().get("publications");
        List<String> users = new ArrayList<>();
        held.forEach(p -> users.add(p.path("user").asText()));
        assertThat(users).containsExactly(owner, other);
        return "owner offset " + first.path("offset").asLong() + " (retry " + retry.path("offset").asLong()
                + "), other user with the same key offset " + foreign.path("offset").asLong() + "; history holds both";
    }

    /**
     * One user with a {@code match:*} token names 50,000 channels nobody publishes to: 49,800 through
     * {@code /poll} (60 per request, within the user's request rate) and 200 through WebSocket
     * subscribe and unsubscribe. Naming a channel must not leave state behind.
     */
    static String channelNaming(Ctx ctx) throws Exception {
        String token = ctx.token(ctx.user("namer"), "match:*");
        String run = "match:n" + UUID.randomUUID().toString().substring(0, 6) + "-";
        int before = streams.streamCount();
        long heapBefore = Heap.afterGc();
        HttpClient http = ctx.track(HttpClient.newHttpClient());
        int polls = 0;
        int limited = 0;
        int next = 0;
        while (next < 49_800) {
            StringBuilder q = new StringBuilder("/poll?timeout=0&token=").append(token);
            for (int i = next; i < next + 60; i++) {
                q.append("&channel=").append(run).append(i);
            }
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + q))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() == 429) {
                limited++;
                sleep(1000 * Long.parseLong(res.headers().firstValue("Retry-After").orElse("1")));
                continue;
            }
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            polls++;
            next += 60;
        }
        WsClient ws = ctx.ws(token);
        ws.expect("connected");
        for (int i = next; i < next + 200; i++) {
            JsonNode sub = ws.call("{\"type\":\"subscribe\",\"id\":" + i + ",\"channel\":\"" + run + i + "\"}");
            assertThat(sub.path("type").asText()).as("%s", sub).isEqualTo("subscribed");
            assertThat(sub.get("offset").asLong()).isZero();
            JsonNode unsub = ws.call("{\"type\":\"unsubscribe\",\"id\":" + i + ",\"channel\":\"" + run + i + "\"}");
            assertThat(unsub.path("type").asText()).as("%s", unsub).isEqualTo("unsubscribed");
            if (i % 40 == 0) {
                sleep(1000); // two commands each: 80 a second stays under the command rate of 100
            }
        }
        ws.close();
        int after = streams.streamCount();
        long heapAfter = Heap.afterGc();
        assertThat(after).as("streams after naming 50,000 channels (before: %d)", before).isLessThanOrEqualTo(before);
        return String.format("%d polls (%d answered 429 and retried) + 200 subscribes; streams %d -> %d; heap after GC"
                + " %.1f -> %.1f MiB", polls, limited, before, after, heapBefore / 1048576.0, heapAfter / 1048576.0);
    }

    // ------------------------------------------------------------------------------------------
    // a channel pattern that makes a backtracking matcher try every split of the name
    // ------------------------------------------------------------------------------------------

    static String patternBacktracking(Ctx ctx) {
        // one attacker per event loop (connections are dealt to loops in turn), so one shares the healthy client's
        int loops = Runtime.getRuntime().availableProcessors();
        String name = ".".repeat(251) + ":";
        List<WsClient> attackers = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            WsClient c = ctx.ws(ctx.token(ctx.user("redos"), "*.*.*.*"));
            c.expect("connected");
            attackers.add(c);
        }
        for (WsClient c : attackers) {
            for (int id = 1; id <= 30; id++) {
                c.send("{\"type\":\"subscribe\",\"id\":" + id + ",\"channel\":\"" + name + "\"}");
            }
        }
        long slowest = 0;
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            JsonNode pong = healthy.call("{\"type\":\"ping\",\"id\":" + (900 + i) + "}");
            slowest = Math.max(slowest, System.nanoTime() - started);
            assertThat(pong.path("type").asText()).as("healthy ping %d: %s", i, pong).isEqualTo("pong");
        }
        for (WsClient c : attackers) {
            for (int id = 1; id <= 30; id++) {
                JsonNode e = c.next();
                assertError(e, "permission_denied");
                assertThat(e.path("id").asInt()).isEqualTo(id);
            }
        }
        long slowestMillis = TimeUnit.NANOSECONDS.toMillis(slowest);
        assertThat(slowestMillis).as("slowest healthy ping while the patterns were matched").isLessThan(1000);
        return String.format("%d connections x 30 subscribes: permission_denied each; slowest healthy ping %d ms",
                loops, slowestMillis);
    }

    // ------------------------------------------------------------------------------------------
    // data passes through as the publisher's text
    // ------------------------------------------------------------------------------------------

    static String numbersPassThrough(Ctx ctx) throws Exception {
        String data = "{\"big\":1e400,\"precise\":12345678901234567.89,\"neg\":-0.0,\"exp\":1E+2,"
                + "\"uni\":\"\\u00e9\\ud83d\\ude00\"}";
        RawWsClient r = ctx.raw(ctx.token(ctx.user("numbers"), "pub:*"));
        assertThat(nextJson(r).path("type").asText()).isEqualTo("connected");
        r.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + FEED + "\"}");
        assertThat(nextJson(r).path("type").asText()).isEqualTo("subscribed");
        long offset = ctx.publish(data);
        String expected = "\"data\":" + data + ",\"offset\":" + offset + ",";
        assertThat(r.readText()).as("live frame").contains(expected);
        String history = node.apiRaw("GET", "/api/history/" + FEED + "?since=" + (offset - 1) + "&epoch=" + feedEpoch,
                null).body();
        assertThat(history).as("history").contains(expected);
        List<String> refused = List.of("NaN", "01", "1.", "[".repeat(200) + "]".repeat(200));
        for (String bad : refused) {
            TestNode.Reply reply = node.api("POST", "/api/publish", "{\"channel\":\"" + FEED + "\",\"type\":\"tick\",\"data\":"
                    + bad + "}");
            assertThat(reply.status()).as("data %s: %s", bad.length() > 20 ? bad.substring(0, 20) + "..." : bad, reply).isEqualTo(400);
            assertThat(reply.errorCode()).isEqualTo("bad_request");
        }
        return "live frame and /api/history carry " + data + " as sent; " + refused.size() + " invalid data values: 400";
    }

    // ------------------------------------------------------------------------------------------
    // a hostile backend behind the subscribe proxy
    // ------------------------------------------------------------------------------------------

    /** The px subscribe proxy: {@code px:big…} 10 MB chunked, {@code px:trickle…} a byte per 100 ms, and so on. */
    private static void hostileBackend(com.sun.net.httpserver.HttpExchange ex, JsonNode in) throws Exception {
        String channel = in.path("channel").asText();
        if (channel.startsWith("px:big")) {
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = ("{\"result\":{\"data\":\"" + "x".repeat(64 * 1024)).getBytes(StandardCharsets.UTF_8);
            try (var out = ex.getResponseBody()) {
                for (int i = 0; i < 160; i++) {
                    out.write(chunk);
                }
            }
        } else if (channel.startsWith("px:trickle")) {
            byte[] body = "{\"result\":{}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                for (byte b : body) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(150);
                }
            }
        } else if (channel.startsWith("px:redirect")) {
            ex.getResponseHeaders().set("Location", "http://127.0.0.1:1/elsewhere");
            TestBackend.send(ex, 307, "{\"result\":{}}".getBytes(StandardCharsets.UTF_8), "application/json");
        } else if (channel.startsWith("px:silent")) {
            Thread.sleep(1500);
        } else {
            stalled.incrementAndGet();
            try {
                stall.await(5, TimeUnit.SECONDS);
            } finally {
                stalled.decrementAndGet();
            }
            TestBackend.send(ex, 200, "{\"result\":{}}".getBytes(StandardCharsets.UTF_8), "application/json");
        }
    }

    static String hostileSubscribeProxy(Ctx ctx) {
        WsClient c = ctx.ws(ctx.token(ctx.user("px")));
        c.expect("connected");
        List<String> kinds = List.of("big", "trickle", "redirect", "silent");
        StringBuilder seen = new StringBuilder();
        int id = 0;
        for (String kind : kinds) {
            long started = System.nanoTime();
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":" + (++id) + ",\"channel\":\"px:" + kind + UUID.randomUUID() + "\"}");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertError(e, "not_available");
            assertThat(e.path("temporary").asBoolean()).isTrue();
            assertThat(millis).as("%s answered within timeout + 1 s", kind).isLessThan(2000);
            seen.append(kind).append(' ').append(millis).append(" ms; ");
        }
        JsonNode pong = c.call("{\"type\":\"ping\",\"id\":99}");
        assertThat(pong.path("type").asText()).isEqualTo("pong");
        for (String outcome : List.of("oversized", "timeout", "malformed")) {
            assertThat(node.metric("herald_proxy_calls_total{kind=\"subscribe\",outcome=\"" + outcome + "\"}"))
                    .as("outcome %s counted", outcome).isPositive();
        }
        return "not_available (temporary) for " + seen + "connection answers pings";
    }

    static String subscribeProxyBurst(Ctx ctx) {
        stall = new java.util.concurrent.CountDownLatch(1);
        try {
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                WsClient c = ctx.ws(ctx.token(ctx.user("pxburst")));
                c.expect("connected");
                clients.add(c);
            }
            for (WsClient c : clients) {
                for (int id = 1; id <= 5; id++) {
                    c.send("{\"type\":\"subscribe\",\"id\":" + id + ",\"channel\":\"px:room" + UUID.randomUUID() + "\"}");
                }
            }
            Await.until(Duration.ofSeconds(5), "16 subscribe calls wait", () -> stalled.get() == PROXY_PENDING);
            long slowest = 0;
            for (int i = 0; i < 5; i++) {
                long started = System.nanoTime();
                assertThat(healthy.call("{\"type\":\"ping\",\"id\":" + (700 + i) + "}").path("type").asText()).isEqualTo("pong");
                slowest = Math.max(slowest, System.nanoTime() - started);
            }
            assertThat(stalled.get()).isEqualTo(PROXY_PENDING);
            Await.until(Duration.ofSeconds(5), "the other connections' subscribes refused", () -> clients.stream()
                    .mapToLong(SecuritySuiteTest::tooManyRequests).sum() == 200 - PROXY_PENDING * 5);
            stall.countDown();
            int subscribed = 0;
            int refused = 0;
            for (WsClient c : clients) {
                for (int id = 1; id <= 5; id++) {
                    JsonNode n = c.next();
                    if (n.path("type").asText().equals("subscribed")) {
                        subscribed++;
                    } else {
                        assertError(n, "too_many_requests");
                        refused++;
                    }
                }
            }
            // a connection's commands run one at a time: the 24 connections refused at first are refused five
            // times while the 16 calls wait; the 16 waiting connections' later subscribes follow their first
            assertThat(subscribed + refused).isEqualTo(200);
            assertThat(subscribed).isEqualTo(PROXY_PENDING * 5);
            assertThat(refused).isEqualTo(200 - PROXY_PENDING * 5);
            return String.format("%d subscribed, %d too_many_requests, never more than %d calls waiting; slowest healthy "
                    + "ping %d ms", subscribed, refused, PROXY_PENDING, TimeUnit.NANOSECONDS.toMillis(slowest));
        } finally {
            stall.countDown();
        }
    }

    private static long tooManyRequests(WsClient c) {
        synchronized (c.receivedAt) {
            return c.receivedAt.keySet().stream().filter(n -> n.path("code").asText().equals("too_many_requests")).count();
        }
    }
}
