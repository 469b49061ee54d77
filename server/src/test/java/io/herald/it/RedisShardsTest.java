package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.herald.config.RedisConfig;
import io.herald.engine.redis.RedisEngine;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several independent Redis servers in {@code redis.url}: channels are spread over them, and every node agrees where. */
class RedisShardsTest {
    static final List<RedisServerProcess> servers = new ArrayList<>();
    static TestNode a;
    static TestNode b;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        servers.add(RedisServerProcess.launch());
        servers.add(RedisServerProcess.launch());
        RedisConfig config = new RedisConfig(servers.stream().map(RedisServerProcess::url).toList(), false, "herald",
                Duration.ofSeconds(60), Duration.ofSeconds(5));
        a = TestNode.builder().engine(() -> RedisEngine.create(config)).start();
        b = TestNode.builder().engine(() -> RedisEngine.create(config)).start();
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        servers.forEach(RedisServerProcess::close);
    }

    @Test
    void channelsAreSpreadOverTheServersAndDeliveredAcrossNodes() {
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            channels.add(TestNode.unique("match:") + "-" + i);
        }
        try (WsClient c = a.connectAs("42", "match:*")) {
            for (String ch : channels) {
                c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            }
            for (String ch : channels) {
                b.publish(ch, "goal", "{}");
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                got.add(c.expect("goal").get("channel").asText());
            }
            assertThat(got).containsExactlyInAnyOrderElementsOf(channels);
        }
        for (RedisServerProcess r : servers) {
            assertThat(r.cli("--scan", "--pattern", "herald:{match:*}:s")).as("streams on " + r.port).contains("herald:");
        }
    }
}
