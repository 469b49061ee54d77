package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.RedisConfig;
import io.herald.engine.redis.RedisEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Herald nodes on a small Redis Cluster (three masters, started here on spare ports): channels
 * spread over the shards, fan-out goes over sharded pub/sub, and history, recovery and presence work
 * as on one server. Skipped when redis-server is not installed.
 */
class RedisClusterTest {
    static final List<RedisServerProcess> shards = new ArrayList<>();
    static TestNode a;
    static TestNode b;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RedisServerProcess r = RedisServerProcess.launch("--cluster-enabled", "yes", "--cluster-node-timeout", "2000");
            shards.add(r);
            addresses.add("127.0.0.1:" + r.port);
        }
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        create.addAll(addresses);
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        String out = shards.getFirst().cli(create.toArray(String[]::new));
        assertThat(out).as("redis-cli --cluster create").contains("[OK] All 16384 slots covered");
        for (RedisServerProcess r : shards) {
            Await.until(Duration.ofSeconds(20), "cluster state ok on " + r.port,
                    () -> r.cli("cluster", "info").contains("cluster_state:ok"));
        }
        RedisConfig config = new RedisConfig(List.of(shards.getFirst().url()), true, "herald",
                Duration.ofSeconds(60), Duration.ofSeconds(5));
        a = node(config);
        b = node(config);
    }

    static TestNode node(RedisConfig config) throws InterruptedException {
        return TestNode.builder()
                .namespace("chat", TestNode.ns(100, Duration.ofMinutes(5), true, true, false, false))
                .engine(() -> RedisEngine.create(config))
                .start();
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        shards.forEach(RedisServerProcess::close);
    }

    @Test
    void channelsOnEveryShardReachSubscribersOnTheOtherNodeOverShardedPubSub() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            channels.add(TestNode.unique("match:") + "-" + i);
        }
        try (WsClient c = a.connectAs("42", "match:*")) {
            for (String ch : channels) {
                assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("type").asText())
                        .isEqualTo("subscribed");
            }
            int withShardChannels = 0;
            for (RedisServerProcess r : shards) {
                if (r.cli("pubsub", "shardchannels", "herald:*").contains(":f")) {
                    withShardChannels++;
                }
            }
            assertThat(withShardChannels).as("shards holding sharded subscriptions").isGreaterThan(1);

            for (String ch : channels) {
                b.publish(ch, "goal", "{}");
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                JsonNode p = c.expect("goal");
                assertThat(p.get("offset").asLong()).isEqualTo(1);
                got.add(p.get("channel").asText());
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(channels);
        }
    }

    @Test
    void controlCommandsReachConnectionsOnTheOtherNode() {
        try (WsClient c = b.connectAs("erin", "match:*")) {
            a.api("POST", "/api/disconnect", "{\"user\":\"erin\",\"reconnect\":true,\"reason\":\"cluster move\"}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4010);
            assertThat(d.get("reconnect").asBoolean()).isTrue();
            assertThat(d.get("reason").asText()).isEqualTo("cluster move");
        }
    }

    @Test
    void afterTheShardsDropThePubSubConnectionsSubscribersAreToldToResynchronise() {
        String ch = TestNode.unique("match:");
        try (WsClient c = a.connectAs("42", "match:*")) {
            String epoch = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("epoch").asText();
            for (RedisServerProcess r : shards) {
                r.cli("client", "kill", "type", "pubsub");
            }
            JsonNode ended = c.expect("unsubscribed");
            assertThat(ended.get("reason").asText()).isEqualTo("insufficient_state");
            JsonNode again = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":0,\"epoch\":\""
                    + epoch + "\"}}");
            assertThat(again.get("recovered").asBoolean()).isTrue();
            b.publish(ch, "goal", "{}");
            assertThat(c.expect("goal").get("offset").asLong()).isEqualTo(1);
        }
    }

    @Test
    void recoveryAndPresenceWorkAcrossNodesOnACluster() {
        String ch = TestNode.unique("chat:");
        String epoch;
        try (WsClient c = a.connectAs("ada", "chat:*"); WsClient other = b.connectAs("bob", "chat:*")) {
            epoch = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("epoch").asText();
            c.expect("join");
            other.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            assertThat(c.expect("join").get("user").asText()).isEqualTo("bob");
            assertThat(a.api("GET", "/api/presence/" + ch, null).json().get("users").asInt()).isEqualTo(2);
            b.publish(ch, "msg", "{}");
            assertThat(c.expect("msg").get("offset").asLong()).isEqualTo(1);
        }
        a.publish(ch, "msg", "{}");
        try (WsClient c = b.connectAs("ada", "chat:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"}}");
            assertThat(s.get("recovered").asBoolean()).isTrue();
            assertThat(c.expect("msg").get("offset").asLong()).isEqualTo(2);
        }
    }
}
