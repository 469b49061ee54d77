package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Event;
import com.pusher.rest.data.PresenceUser;
import com.pusher.rest.data.Result;
import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.protocol.JsonCodec;
import io.herald.pusher.PusherSignatures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Pusher server SDK for Java ({@code com.pusher:pusher-http-java}, unmodified) against a
 * real node: trigger, batch, channel queries, presence users, channel authorization, and Pusher's
 * errors as the SDK classifies them. Native {@code /ws} clients stand on the channels, so what the SDK
 * publishes is seen arriving through the hub. One node for the class.
 */
class PusherJavaSdkTest {
    static final String SECRET = "native-app-secret-0123456789";
    static final String OTHER_SECRET = "other-app-secret-0123456789";
    private static TestNode node;
    private static Pusher pusher;
    private static Pusher other;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .defaults(TestNode.ns(10, Duration.ofMinutes(5), true, false, false, false))
                .pusher(new PusherConfig(List.of(PusherAppConfig.of("1001", "native-key", SECRET, true),
                        PusherAppConfig.of("2002", "other-key", OTHER_SECRET, false))))
                .start();
        pusher = sdk("1001", "native-key", SECRET);
        other = sdk("2002", "other-key", OTHER_SECRET);
    }

    private static Pusher sdk(String id, String key, String secret) {
        Pusher p = new Pusher("http://" + key + ":" + secret + "@127.0.0.1:" + node.port() + "/apps/" + id);
        p.setRequestTimeout(5000);
        return p;
    }

    @AfterAll
    static void stop() throws Exception {
        pusher.close();
        other.close();
        node.close();
    }

    private static WsClient subscriber(String user, String channel) {
        WsClient c = node.connectAs(user, "**");
        assertThat(c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}").get("type").asText())
                .isEqualTo("subscribed");
        return c;
    }

    private static JsonNode json(Result r) throws Exception {
        assertThat(r.getStatus()).as(r.getHttpStatus() + " " + r.getMessage()).isEqualTo(Result.Status.SUCCESS);
        return JsonCodec.MAPPER.readTree(r.getMessage());
    }

    @Test
    void aTriggerReachesANativeSubscriberWithItsDataAsJsonAndItsNameAsType() throws Exception {
        String ch = TestNode.unique("orders-");
        try (WsClient ws = subscriber("ada", ch)) {
            Result r = pusher.trigger(ch, "App\\Events\\OrderShipped", Map.of("id", 7));
            assertThat(json(r).isObject()).isTrue();
            JsonNode push = ws.next();
            assertThat(push.get("type").asText()).isEqualTo("App\\Events\\OrderShipped");
            assertThat(push.get("channel").asText()).isEqualTo(ch);
            assertThat(push.get("data")).isEqualTo(JsonCodec.MAPPER.readTree("{\"id\":7}"));
        }
    }

    @Test
    void aTriggerToSeveralChannelsWithASocketIdStillReachesNativeSubscribersOfEach() throws Exception {
        String a = TestNode.unique("multi-a-");
        String b = TestNode.unique("multi-b-");
        try (WsClient wa = subscriber("ada", a); WsClient wb = subscriber("bob", b)) {
            // the socket id names a Pusher connection; /ws connections have none and always receive
            json(pusher.trigger(List.of(a, b), "tick", List.of(1, 2), "123.456"));
            assertThat(wa.next().get("data").toString()).isEqualTo("[1,2]");
            assertThat(wb.next().get("data").toString()).isEqualTo("[1,2]");
        }
    }

    @Test
    void aBatchArrivesInItsOrder() throws Exception {
        String ch = TestNode.unique("batch-");
        try (WsClient ws = subscriber("ada", ch)) {
            json(pusher.trigger(List.of(new Event(ch, "first", Map.of("n", 1)), new Event(ch, "second", Map.of("n", 2)),
                    new Event(ch, "third", "plain"))));
            assertThat(ws.next().get("type").asText()).isEqualTo("first");
            assertThat(ws.next().get("type").asText()).isEqualTo("second");
            JsonNode third = ws.next();
            assertThat(third.get("type").asText()).isEqualTo("third");
            // Gson sends the string as the JSON text "plain" (quoted); Herald carries its value
            assertThat(third.get("data").asText()).isEqualTo("plain");
        }
    }

    @Test
    void theChannelListHasTheAppsOccupiedChannelsByPrefixWithCounts() throws Exception {
        String room = TestNode.unique("presence-list-");
        String plain = TestNode.unique("listed-");
        try (WsClient a1 = subscriber("ada", room); WsClient a2 = subscriber("ada", room); WsClient b = subscriber("bob", room);
             WsClient p = subscriber("bob", plain)) {
            JsonNode all = json(pusher.get("/channels", Map.of("info", "subscription_count")));
            assertThat(all.get("channels").get(plain).get("subscription_count").asInt()).isEqualTo(1);
            assertThat(all.get("channels").get(room).get("subscription_count").asInt()).isEqualTo(3);
            JsonNode presence = json(pusher.get("/channels", Map.of("filter_by_prefix", "presence-list-",
                    "info", "user_count")));
            assertThat(presence.get("channels").size()).isGreaterThanOrEqualTo(1);
            assertThat(presence.get("channels").has(plain)).isFalse();
            assertThat(presence.get("channels").get(room).get("user_count").asInt()).as("ada's two tabs count once")
                    .isEqualTo(2);
            Result refused = pusher.get("/channels", Map.of("info", "user_count"));
            assertThat(refused.getHttpStatus()).isEqualTo(400);
            assertThat(refused.getMessage()).contains("presence");
            // another app's channel space is its own
            assertThat(json(other.get("/channels")).get("channels").has(plain)).isFalse();
        }
    }

    @Test
    void aPresenceChannelsInfoAndUsersAreCountedOncePerUser() throws Exception {
        String room = TestNode.unique("presence-room-");
        try (WsClient a1 = subscriber("ada", room); WsClient a2 = subscriber("ada", room); WsClient b = subscriber("bob", room)) {
            JsonNode info = json(pusher.get("/channels/" + room, Map.of("info", "user_count,subscription_count")));
            assertThat(info.get("occupied").asBoolean()).isTrue();
            assertThat(info.get("user_count").asInt()).isEqualTo(2);
            assertThat(info.get("subscription_count").asInt()).isEqualTo(3);
            JsonNode users = json(pusher.get("/channels/" + room + "/users"));
            assertThat(users.get("users").findValuesAsText("id")).containsExactlyInAnyOrder("ada", "bob");
        }
        JsonNode empty = json(pusher.get("/channels/" + TestNode.unique("nobody-")));
        assertThat(empty.get("occupied").asBoolean()).isFalse();
        Result notPresence = pusher.get("/channels/" + TestNode.unique("plain-") + "/users");
        assertThat(notPresence.getStatus()).isEqualTo(Result.Status.CLIENT_ERROR);
    }

    @Test
    void aCacheChannelsInfoGivesItsLastEvent() throws Exception {
        String ch = TestNode.unique("cache-price-");
        json(pusher.trigger(ch, "price", Map.of("usd", 1)));
        json(pusher.trigger(ch, "price", Map.of("usd", 2)));
        JsonNode info = json(pusher.get("/channels/" + ch, Map.of("info", "cache")));
        assertThat(info.get("cache").get("data").asText()).isEqualTo("{\"usd\":2}");
        assertThat(info.get("cache").get("ttl").asLong()).isBetween(200L, 300L);
    }

    @Test
    void anotherAppsTriggerStaysInItsOwnChannelSpace() throws Exception {
        String ch = TestNode.unique("space-");
        try (WsClient nativeSide = subscriber("ada", ch); WsClient otherSide = subscriber("bob", "pusher-2002:" + ch)) {
            json(other.trigger(ch, "hello", Map.of("app", 2002)));
            assertThat(otherSide.next().get("data").get("app").asInt()).isEqualTo(2002);
            nativeSide.expectNothingPending();
        }
    }

    @Test
    void channelAuthorizationsOfTheSdkVerifyWithTheServersSignatureCheck() throws Exception {
        String socket = "1234.5678";
        JsonNode priv = JsonCodec.MAPPER.readTree(pusher.authenticate(socket, "private-orders"));
        assertThat(PusherSignatures.verify("native-key", SECRET,
                PusherSignatures.channelAuthSubject(socket, "private-orders", null), priv.get("auth").asText())).isTrue();
        JsonNode presence = JsonCodec.MAPPER.readTree(pusher.authenticate(socket, "presence-room",
                new PresenceUser("42", Map.of("name", "Ada"))));
        String data = presence.get("channel_data").asText();
        assertThat(PusherSignatures.verify("native-key", SECRET,
                PusherSignatures.channelAuthSubject(socket, "presence-room", data), presence.get("auth").asText())).isTrue();
        assertThat(PusherSignatures.verify("native-key", SECRET,
                PusherSignatures.channelAuthSubject("1234.5679", "presence-room", data), presence.get("auth").asText()))
                .as("another socket's signature").isFalse();
    }

    /** A Pusher protocol connection to the native app: its socket id, from pusher:connection_established. */
    private static WsClient pusherSocket() {
        return WsClient.open(java.net.URI.create("ws://127.0.0.1:" + node.port() + "/app/native-key?protocol=7"));
    }

    private static String socketIdOf(WsClient ws) throws Exception {
        JsonNode hello = ws.next();
        assertThat(hello.get("event").asText()).isEqualTo("pusher:connection_established");
        return JsonCodec.MAPPER.readTree(hello.get("data").asText()).get("socket_id").asText();
    }

    @Test
    void theSdksAuthorizationsOpenPrivateAndPresenceChannelsOnTheWebSocketAndItsTriggerArrivesThere() throws Exception {
        String priv = TestNode.unique("private-java-");
        String room = TestNode.unique("presence-java-");
        try (WsClient ws = pusherSocket()) {
            String socket = socketIdOf(ws);
            JsonNode auth = JsonCodec.MAPPER.readTree(pusher.authenticate(socket, priv));
            ws.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + priv + "\",\"auth\":\""
                    + auth.get("auth").asText() + "\"}}");
            assertThat(ws.next().get("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
            JsonNode member = JsonCodec.MAPPER.readTree(pusher.authenticate(socket, room,
                    new PresenceUser("42", Map.of("name", "Ada"))));
            ws.send(JsonCodec.MAPPER.writeValueAsString(Map.of("event", "pusher:subscribe", "data", Map.of("channel", room,
                    "auth", member.get("auth").asText(), "channel_data", member.get("channel_data").asText()))));
            JsonNode joined = ws.next();
            assertThat(joined.get("event").asText()).isEqualTo("pusher_internal:subscription_succeeded");
            assertThat(joined.get("data").asText()).contains("\"42\"");
            json(pusher.trigger(priv, "note", Map.of("to", "ada")));
            JsonNode note = ws.next();
            assertThat(note.get("event").asText()).isEqualTo("note");
            assertThat(note.get("data").asText()).isEqualTo("{\"to\":\"ada\"}");
            JsonNode users = json(pusher.get("/channels/" + room + "/users"));
            assertThat(users.get("users").findValuesAsText("id")).containsExactly("42");
        }
    }

    @Test
    void badCredentialsGetPushersStatusesAndPublishNothing() throws Exception {
        String ch = TestNode.unique("guarded-");
        try (WsClient ws = subscriber("ada", ch); Pusher wrongSecret = sdk("1001", "native-key", "not-the-secret-0123456789");
             Pusher wrongKey = sdk("1001", "other-key", OTHER_SECRET); Pusher noApp = sdk("9999", "native-key", SECRET)) {
            Result bad = wrongSecret.trigger(ch, "x", Map.of());
            assertThat(bad.getStatus()).isEqualTo(Result.Status.AUTHENTICATION_ERROR);
            assertThat(bad.getMessage()).startsWith("Invalid signature: you should have sent HmacSHA256Hex(\"POST\\n/apps/1001/events\\nauth_key=native-key&auth_timestamp=");
            Result key = wrongKey.trigger(ch, "x", Map.of());
            assertThat(key.getHttpStatus()).isEqualTo(400);
            assertThat(key.getMessage().trim()).isEqualTo("Unknown auth_key");
            Result app = noApp.trigger(ch, "x", Map.of());
            assertThat(app.getStatus()).isEqualTo(Result.Status.NOT_FOUND);
            Result big = pusher.trigger(ch, "x", "y".repeat(10 * 1024));
            assertThat(big.getHttpStatus()).isEqualTo(413);
            assertThat(big.getMessage()).startsWith("The data content of this event exceeds the allowed maximum (10240 bytes)");
            Result batch = pusher.trigger(java.util.stream.IntStream.range(0, 11).mapToObj(i -> new Event(ch, "e", i)).toList());
            assertThat(batch.getHttpStatus()).isEqualTo(400);
            ws.expectNothingPending();
            // and the node goes on serving the app
            json(pusher.trigger(ch, "after", Map.of()));
            assertThat(ws.next().get("type").asText()).isEqualTo("after");
        }
    }
}
