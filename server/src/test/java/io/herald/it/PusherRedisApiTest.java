package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Result;
import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Pusher HTTP API on two nodes sharing one Redis: the SDK talks to one node while the connections
 * are on the other. A trigger reaches them, presence users and user counts are the cluster's, and
 * terminate_connections ends the user's connections on the other node.
 */
class PusherRedisApiTest {
    private static final String SECRET = "redis-app-secret-0123456789";
    private final String prefix = RedisTestSupport.uniquePrefix("pusher-api");
    private TestNode a;
    private TestNode b;

    @AfterEach
    void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
    }

    private TestNode node() throws InterruptedException {
        return TestNode.builder()
                .defaults(TestNode.ns(10, Duration.ofMinutes(1), true, false, false, false))
                .engine(() -> RedisEngine.create(RedisTestSupport.config(prefix)))
                .pusher(new PusherConfig(List.of(PusherAppConfig.of("1001", "redis-key", SECRET, true))))
                .start();
    }

    @Test
    void theSdkOnOneNodeReachesAndCountsTheConnectionsOfTheOther() throws Exception {
        RedisTestSupport.requireLocalRedis();
        a = node();
        b = node();
        String room = TestNode.unique("presence-redis-");
        try (Pusher sdk = new Pusher("http://redis-key:" + SECRET + "@127.0.0.1:" + b.port() + "/apps/1001");
             WsClient ada = a.connectAs("ada", "**"); WsClient bob = a.connectAs("bob", "**")) {
            for (WsClient c : List.of(ada, bob)) {
                assertThat(c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + room + "\"}").get("type").asText())
                        .isEqualTo("subscribed");
            }
            Result users = Await.value(Duration.ofSeconds(5), "both users listed by the other node",
                    () -> sdk.get("/channels/" + room + "/users"), r -> r.getMessage().contains("bob"));
            assertThat(JsonCodec.MAPPER.readTree(users.getMessage()).get("users").findValuesAsText("id"))
                    .containsExactlyInAnyOrder("ada", "bob");
            JsonNode info = JsonCodec.MAPPER.readTree(sdk.get("/channels/" + room, Map.of("info", "user_count")).getMessage());
            assertThat(info.get("occupied").asBoolean()).as("occupied by presence on the other node").isTrue();
            assertThat(info.get("user_count").asInt()).isEqualTo(2);

            assertThat(sdk.trigger(room, "hello", Map.of("from", "b")).getStatus()).isEqualTo(Result.Status.SUCCESS);
            assertThat(ada.next().get("type").asText()).isEqualTo("hello");

            assertThat(sdk.post("/users/ada/terminate_connections", "{}").getStatus()).isEqualTo(Result.Status.SUCCESS);
            assertThat(ada.until("disconnect").getLast().get("reconnect").asBoolean()).isFalse();
            assertThat(bob.next().get("type").asText()).as("bob's connection stays").isEqualTo("hello");
        }
    }
}
