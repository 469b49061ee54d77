package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.config.NamespaceConfig;
import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.protocol.JsonCodec;
import io.herald.pusher.PusherSignatures;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Pusher Channels protocol on {@code /app/{key}} against a real node, with the JDK's WebSocket
 * client (and a raw one for broken frames): the handshake, Pusher's error codes, public, private,
 * presence, cache and user channels, client events, and one hub shared with {@code /ws} clients.
 */
class PusherProtocolTest {
    static final String SECRET = "native-app-secret-0123456789";
    static final String OTHER_SECRET = "other-app-secret-0123456789";
    private static TestNode node;
    private final List<WsClient> open = new ArrayList<>();

    @BeforeAll
    static void startNode() throws InterruptedException {
        node = TestNode.builder()
                .defaults(new NamespaceConfig(100, Duration.ofMinutes(5), false, false, true, false))
                .client(ClientConfig.DEFAULTS.withCommandLimits(20, 1_000_000, 1_000_000))
                .pusher(new PusherConfig(List.of(
                        PusherAppConfig.of("1", "native-key", SECRET, true).withClientEvents(true)
                                .withLimits(false, 0, 5),
                        PusherAppConfig.of("7", "other-key", OTHER_SECRET, false),
                        PusherAppConfig.of("9", "quota-key", OTHER_SECRET + "-9", false).withLimits(false, 1, 10))))
                .start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @AfterEach
    void closeClients() {
        open.forEach(WsClient::close);
    }

    private WsClient raw(String key, String query) {
        WsClient c = WsClient.open(URI.create("ws://127.0.0.1:" + node.port() + "/app/" + key + query));
        open.add(c);
        return c;
    }

    /** A connected client and its socket id. */
    private record Pusher(WsClient ws, String socketId) {
        JsonNode next(String event) {
            JsonNode n = ws.next();
            assertThat(n.path("event").asText()).as("frame %s", n).isEqualTo(event);
            return n;
        }

        /** Frames until one with {@code event} (on {@code channel} when not null). */
        JsonNode until(String event, String channel) {
            while (true) {
                JsonNode n = ws.next();
                if (n.path("event").asText().equals(event) && (channel == null || channel.equals(n.path("channel").asText()))) {
                    return n;
                }
            }
        }

        void send(String event, String channel, String dataJson) {
            ws.send("{\"event\":\"" + event + "\"" + (channel == null ? "" : ",\"channel\":\"" + channel + "\"")
                    + ",\"data\":" + dataJson + "}");
        }

        JsonNode subscribe(String channel, String auth, String channelData) {
            send("pusher:subscribe", null, "{\"channel\":\"" + channel + "\"" + (auth == null ? "" : ",\"auth\":\"" + auth + "\"")
                    + (channelData == null ? "" : ",\"channel_data\":" + JsonCodec.MAPPER.valueToTree(channelData)) + "}");
            return ws.next();
        }

        /** Sends a ping and expects its pong next: nothing else was pending. */
        void expectNothingPending() {
            send("pusher:ping", null, "{}");
            next("pusher:pong");
        }
    }

    private Pusher connect(String key) {
        WsClient c = raw(key, "?protocol=7&client=java&version=8.4.0");
        JsonNode hello = c.next();
        assertThat(hello.path("event").asText()).isEqualTo("pusher:connection_established");
        JsonNode data = data(hello);
        return new Pusher(c, data.path("socket_id").asText());
    }

    /** The {@code data} of a frame, a JSON string holding JSON, parsed. */
    static JsonNode data(JsonNode frame) {
        JsonNode d = frame.path("data");
        assertThat(d.isTextual()).as("data of %s is a string", frame).isTrue();
        try {
            return JsonCodec.MAPPER.readTree(d.textValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String sign(String socketId, String channel, String channelData) {
        return PusherSignatures.channelAuth("native-key", SECRET, socketId, channel, channelData);
    }

    @Test
    void theHandshakeGivesASocketIdAndActivityTimeoutInAJsonString() {
        WsClient c = raw("native-key", "?protocol=7&client=js&version=8.4.0");
        JsonNode hello = c.next();
        assertThat(hello.path("data").isTextual()).isTrue();
        JsonNode data = data(hello);
        assertThat(data.path("socket_id").asText()).matches("\\d+\\.\\d+");
        assertThat(data.path("activity_timeout").asInt()).isEqualTo((int) node.config.client().ping().toSeconds());
        c.send("{\"event\":\"pusher:ping\",\"data\":{}}");
        assertThat(c.next().path("event").asText()).isEqualTo("pusher:pong");
    }

    @Test
    void anUnknownKeyGetsError4001AndTheClose4001() {
        WsClient c = raw("no-such-key", "?protocol=7");
        JsonNode error = c.next();
        assertThat(error.path("event").asText()).isEqualTo("pusher:error");
        assertThat(error.path("data").path("code").asInt()).isEqualTo(4001);
        assertThat(c.awaitClose()).isEqualTo(4001);
        assertThat(node.metric("herald_connections_closed_total{reason=\"unauthorized\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aMissingOrUnsupportedProtocolVersionGetsPushersCodes() {
        WsClient none = raw("native-key", "");
        assertThat(none.next().path("data").path("code").asInt()).isEqualTo(4008);
        assertThat(none.awaitClose()).isEqualTo(4008);
        WsClient old = raw("native-key", "?protocol=3");
        assertThat(old.next().path("data").path("code").asInt()).isEqualTo(4007);
        WsClient junk = raw("native-key", "?protocol=seven");
        assertThat(junk.next().path("data").path("code").asInt()).isEqualTo(4006);
    }

    @Test
    void anAppOverItsConnectionQuotaGets4004() {
        Pusher first = connect("quota-key");
        WsClient second = raw("quota-key", "?protocol=7");
        assertThat(second.next().path("data").path("code").asInt()).isEqualTo(4004);
        assertThat(second.awaitClose()).isEqualTo(4004);
        first.expectNothingPending();
        first.ws().close();
        Await.until(Duration.ofSeconds(5), "the quota's slot is free", () -> node.metric("herald_pusher_connections{app=\"9\"}") == 0);
        connect("quota-key");
    }

    @Test
    void aPublicationReachesPusherAndHeraldClientsAsTheSameEvent() {
        String channel = TestNode.unique("news");
        Pusher p = connect("native-key");
        assertThat(p.subscribe(channel, null, null).path("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
        WsClient herald = node.connectAs("u1", "**");
        herald.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        herald.expect("subscribed");

        node.publish(channel, "score", "{\"home\":1,\"big\":12345678901234567890}");

        JsonNode event = p.next("score");
        assertThat(event.path("channel").asText()).isEqualTo(channel);
        assertThat(event.path("data").textValue()).isEqualTo("{\"home\":1,\"big\":12345678901234567890}");
        JsonNode native_ = herald.expect("score");
        assertThat(native_.path("data").toString()).isEqualTo("{\"home\":1,\"big\":12345678901234567890}");
        herald.close();
    }

    @Test
    void aSemicolonIsTheNamespaceSeparatorAndOtherAppsHaveTheirOwnChannels() {
        String name = TestNode.unique("match");
        Pusher nativeClient = connect("native-key");
        nativeClient.subscribe(name + ";1", null, null);
        Pusher other = connect("other-key");
        assertThat(other.subscribe(name + ";1", null, null).path("event").asText())
                .isEqualTo("pusher_internal:subscription_succeeded");

        node.publish(name + ":1", "goal", "\"native\"");
        node.publish("pusher-7:" + name + ":1", "goal", "\"seven\"");

        JsonNode a = nativeClient.next("goal");
        assertThat(a.path("channel").asText()).isEqualTo(name + ";1");
        // a Herald JSON string reaches Pusher clients as its value (PusherData)
        assertThat(a.path("data").textValue()).isEqualTo("native");
        JsonNode b = other.next("goal");
        assertThat(b.path("channel").asText()).isEqualTo(name + ";1");
        assertThat(b.path("data").textValue()).isEqualTo("seven");
        nativeClient.expectNothingPending();
        other.expectNothingPending();
    }

    @Test
    void aPrivateChannelNeedsTheAppsSignatureOfThisSocket() {
        String channel = TestNode.unique("private-orders");
        Pusher p = connect("native-key");
        Pusher q = connect("native-key");
        JsonNode refused = p.subscribe(channel, sign(q.socketId(), channel, null), null);
        assertThat(refused.path("event").asText()).isEqualTo("pusher:subscription_error");
        assertThat(refused.path("channel").asText()).isEqualTo(channel);
        JsonNode why = data(refused);
        assertThat(why.path("type").asText()).isEqualTo("AuthError");
        assertThat(why.path("status").asInt()).isEqualTo(401);
        assertThat(why.path("error").asText()).contains("Invalid signature");
        assertThat(p.subscribe(channel, "native-key:" + "0".repeat(64), null).path("event").asText())
                .isEqualTo("pusher:subscription_error");
        assertThat(p.subscribe(channel, null, null).path("event").asText()).isEqualTo("pusher:subscription_error");

        assertThat(p.subscribe(channel, sign(p.socketId(), channel, null), null).path("event").asText())
                .isEqualTo("pusher_internal:subscription_succeeded");
        node.publish(channel, "shipped", "{\"id\":7}");
        assertThat(data(p.next("shipped")).path("id").asInt()).isEqualTo(7);
        assertThat(node.metric("herald_pusher_subscription_errors_total{app=\"1\",type=\"auth\"}")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void presenceListsEachUserOnceAndTellsTheFirstAndLastConnectionOnly() {
        String channel = TestNode.unique("presence-room");
        String alice = "{\"user_id\":\"alice\",\"user_info\":{\"name\":\"Alice\"}}";
        String bob = "{\"user_id\":42}";
        Pusher watcher = connect("native-key");
        JsonNode first = watcher.subscribe(channel, sign(watcher.socketId(), channel, bob), bob);
        assertThat(data(first).path("presence").path("ids").toString()).isEqualTo("[\"42\"]");

        Pusher tab1 = connect("native-key");
        JsonNode joined = tab1.subscribe(channel, sign(tab1.socketId(), channel, alice), alice);
        JsonNode presence = data(joined).path("presence");
        assertThat(presence.path("count").asInt()).isEqualTo(2);
        assertThat(presence.path("hash").path("alice").path("name").asText()).isEqualTo("Alice");
        assertThat(presence.path("hash").has("42")).isTrue();
        JsonNode added = watcher.next("pusher_internal:member_added");
        assertThat(data(added).path("user_id").asText()).isEqualTo("alice");
        assertThat(data(added).path("user_info").path("name").asText()).isEqualTo("Alice");

        Pusher tab2 = connect("native-key");
        JsonNode again = tab2.subscribe(channel, sign(tab2.socketId(), channel, alice), alice);
        assertThat(data(again).path("presence").path("count").asInt()).isEqualTo(2);
        tab1.send("pusher:unsubscribe", null, "{\"channel\":\"" + channel + "\"}");
        tab1.expectNothingPending();
        watcher.expectNothingPending();

        tab2.ws().abort();
        JsonNode removed = watcher.next("pusher_internal:member_removed");
        assertThat(data(removed).path("user_id").asText()).isEqualTo("alice");
        watcher.expectNothingPending();
    }

    @Test
    void aPresenceSubscriptionWithBadChannelDataIsRefused() {
        String channel = TestNode.unique("presence-bad");
        Pusher p = connect("native-key");
        String noId = "{\"user_info\":{}}";
        JsonNode r = p.subscribe(channel, sign(p.socketId(), channel, noId), noId);
        assertThat(data(r).path("type").asText()).isEqualTo("InvalidChannel");
        JsonNode unsigned = p.subscribe(channel, sign(p.socketId(), channel, null), null);
        assertThat(data(unsigned).path("type").asText()).isEqualTo("AuthError");
    }

    @Test
    void clientEventsReachTheOtherSubscribersButNotTheSender() {
        String channel = TestNode.unique("private-chat");
        Pusher a = connect("native-key");
        Pusher b = connect("native-key");
        a.subscribe(channel, sign(a.socketId(), channel, null), null);
        b.subscribe(channel, sign(b.socketId(), channel, null), null);
        WsClient herald = node.connectAs("u1", "**");
        herald.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        herald.expect("subscribed");

        a.send("client-typing", channel, "{\"who\":\"a\"}");

        assertThat(data(b.next("client-typing")).path("who").asText()).isEqualTo("a");
        JsonNode seenNatively = herald.expect("client-typing");
        assertThat(seenNatively.path("data").path("who").asText()).isEqualTo("a");
        a.expectNothingPending();
        herald.close();
    }

    @Test
    void clientEventsAreRefusedWhereTheAppDisablesThemOnPublicChannelsAndPastTheRate() {
        Pusher other = connect("other-key");
        String priv = TestNode.unique("private-x");
        other.subscribe(priv, PusherSignatures.channelAuth("other-key", OTHER_SECRET, other.socketId(), priv, null), null);
        other.send("client-x", priv, "{}");
        assertThat(other.next("pusher:error").path("data").path("message").asText()).contains("enable");

        Pusher p = connect("native-key");
        String pub = TestNode.unique("public");
        p.subscribe(pub, null, null);
        p.send("client-x", pub, "{}");
        assertThat(p.next("pusher:error").path("data").path("message").asText()).contains("private and presence");

        String chat = TestNode.unique("private-rate");
        p.subscribe(chat, sign(p.socketId(), chat, null), null);
        for (int i = 0; i < 12; i++) {
            p.send("client-burst", chat, "{\"i\":" + i + "}");
        }
        p.send("pusher:ping", null, "{}");
        int limited = 0;
        for (JsonNode n = p.ws().next(); !n.path("event").asText().equals("pusher:pong"); n = p.ws().next()) {
            assertThat(n.path("data").path("code").asInt()).as("frame %s", n).isEqualTo(4301);
            limited++;
        }
        // a burst of 5 (the app's rate), and maybe one more refilled while the 12 arrived
        assertThat(limited).isBetween(6, 7);
    }

    @Test
    void aCacheChannelReplaysItsLastEventOrSaysCacheMiss() {
        String channel = TestNode.unique("cache-prices");
        Pusher first = connect("native-key");
        first.subscribe(channel, null, null);
        assertThat(first.next("pusher:cache_miss").path("channel").asText()).isEqualTo(channel);
        node.publish(channel, "price", "{\"p\":1}");
        node.publish(channel, "price", "{\"p\":2}");
        first.next("price");
        first.next("price");

        Pusher late = connect("native-key");
        late.subscribe(channel, null, null);
        assertThat(data(late.next("price")).path("p").asInt()).isEqualTo(2);
        node.publish(channel, "price", "{\"p\":3}");
        assertThat(data(late.next("price")).path("p").asInt()).isEqualTo(3);
        late.expectNothingPending();
    }

    @Test
    void signinOpensTheUsersChannelAndTerminateConnectionsEndsThemWith4009() {
        Pusher p = connect("native-key");
        Pusher stranger = connect("native-key");
        String userData = "{\"id\":\"u-77\",\"user_info\":{\"name\":\"Ann\"}}";
        p.send("pusher:signin", null, "{\"auth\":\"" + PusherSignatures.userAuth("native-key", SECRET, p.socketId(), userData)
                + "\",\"user_data\":" + JsonCodec.MAPPER.valueToTree(userData) + "}");
        JsonNode ok = p.next("pusher:signin_success");
        assertThat(data(ok).path("user_data").asText()).isEqualTo(userData);
        assertThat(p.subscribe("#server-to-user-u-77", "", null).path("event").asText())
                .isEqualTo("pusher_internal:subscription_succeeded");
        assertThat(data(stranger.subscribe("#server-to-user-u-77", "", null)).path("type").asText()).isEqualTo("AuthError");

        node.publish("server-to-user#u-77", "notice", "{\"n\":1}");
        JsonNode notice = p.next("notice");
        assertThat(notice.path("channel").asText()).isEqualTo("#server-to-user-u-77");

        int closed = node.server.pusher().terminateConnections(node.server.pusher().apps().byId("1").orElseThrow(), "u-77");
        assertThat(closed).isEqualTo(1);
        assertThat(p.next("pusher:error").path("data").path("code").asInt()).isEqualTo(4009);
        assertThat(p.ws().awaitClose()).isEqualTo(4009);
        stranger.expectNothingPending();
    }

    @Test
    void aBadSigninSignatureGets4009AndTheClose() {
        Pusher p = connect("native-key");
        p.send("pusher:signin", null, "{\"auth\":\"native-key:00\",\"user_data\":\"{\\\"id\\\":\\\"x\\\"}\"}");
        assertThat(p.next("pusher:error").path("data").path("code").asInt()).isEqualTo(4009);
        assertThat(p.ws().awaitClose()).isEqualTo(4009);
    }

    @Test
    void malformedFramesGetAPusherErrorAndTheConnectionStays() throws IOException {
        Pusher p = connect("native-key");
        for (String bad : List.of("not json", "[1,2]", "{\"data\":{}}", "{\"event\":5}", "{\"event\":\"pusher:subscribe\",\"data\":7}",
                "{\"event\":\"pusher:nonsense\",\"data\":{}}", "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"a:b\"}}")) {
            p.ws().send(bad);
            JsonNode answer = p.ws().next();
            assertThat(answer.path("event").asText()).as("answer to %s", bad).isIn("pusher:error", "pusher:subscription_error");
        }
        p.ws().sendBinary("x".getBytes(StandardCharsets.UTF_8));
        assertThat(p.next("pusher:error").path("data").path("code").isNull()).isTrue();
        p.expectNothingPending();

        try (RawWsClient rawClient = RawWsClient.connect(node.port(), "/app/native-key?protocol=7")) {
            assertThat(rawClient.readText()).contains("pusher:connection_established");
            rawClient.send(RawWsClient.TEXT, new byte[] {(byte) 0xC3, (byte) 0x28});
            assertThat(rawClient.readText()).contains("pusher:error");
            rawClient.sendText("{\"event\":\"pusher:ping\",\"data\":{}}");
            assertThat(rawClient.readText()).contains("pusher:pong");
        }
    }

    @Test
    void aSubscriptionOverTheConnectionsLimitIsRefused() {
        Pusher p = connect("native-key");
        int max = node.config.client().maxSubscriptions();
        String base = TestNode.unique("many");
        for (int i = 0; i < max; i++) {
            assertThat(p.subscribe(base + "-" + i, null, null).path("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
        }
        assertThat(data(p.subscribe(base + "-x", null, null)).path("type").asText()).isEqualTo("LimitReached");
    }

    @Test
    void aMessageFloodIsClosedWith4300AndAnOversizedFrameWith4100() throws InterruptedException {
        try (TestNode strict = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withFrameSize(4096).withCommandLimits(20, 5, 5))
                .pusher(new PusherConfig(List.of(PusherAppConfig.of("1", "native-key", SECRET, true))))
                .start()) {
            URI uri = URI.create("ws://127.0.0.1:" + strict.port() + "/app/native-key?protocol=7");
            WsClient flood = WsClient.open(uri);
            open.add(flood);
            assertThat(flood.next().path("event").asText()).isEqualTo("pusher:connection_established");
            for (int i = 0; i < 30; i++) {
                flood.send("{\"event\":\"pusher:ping\",\"data\":{}}");
            }
            List<JsonNode> got = new ArrayList<>();
            for (JsonNode n = flood.next(); !n.path("data").path("code").isInt(); n = flood.next()) {
                got.add(n);
            }
            assertThat(got.stream().filter(n -> n.path("event").asText().equals("pusher:pong")).count()).isEqualTo(5);
            assertThat(got).hasSize(9).allSatisfy(n -> assertThat(n.path("event").asText()).isIn("pusher:pong", "pusher:error"));
            assertThat(flood.awaitClose()).isEqualTo(4300);

            WsClient big = WsClient.open(uri);
            open.add(big);
            big.next();
            big.send("{\"event\":\"client-x\",\"data\":\"" + "x".repeat(5000) + "\"}");
            assertThat(big.next().path("data").path("code").asInt()).isEqualTo(4100);
            assertThat(big.awaitClose()).isEqualTo(4100);
            assertThat(strict.metric("herald_pusher_errors_total{app=\"1\",code=\"refused\"}")).isEqualTo(1);
            assertThat(strict.metric("herald_connections_closed_total{reason=\"frame_too_large\"}")).isEqualTo(1);
        }
    }
}
