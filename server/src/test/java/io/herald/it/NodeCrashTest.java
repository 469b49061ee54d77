package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node in a process of its own ({@code herald serve} from the test classpath, so this runs in a
 * plain {@code mvn verify}) is killed with SIGKILL: its clients reconnect to another node and recover
 * from the shared history with no gap and no duplicate, and the dead node leaves presence and the
 * node list within their expiry.
 */
class NodeCrashTest {
    private final String prefix = RedisTestSupport.uniquePrefix("crash");
    private Path dir;
    private Process process;
    private TestNode survivor;

    @BeforeEach
    void start() throws Exception {
        RedisTestSupport.requireLocalRedis();
        dir = Files.createTempDirectory("herald-crash");
        survivor = TestNode.builder()
                .namespace("chat", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                .engine(() -> RedisEngine.create(RedisTestSupport.config(prefix).withPresenceTtl(Duration.ofSeconds(2))))
                .start();
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (survivor != null) {
            survivor.close();
        }
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }

    /** Starts {@code herald serve} in a child JVM on a free port and returns that port. */
    private int startProcessNode() throws IOException {
        ChildNode node = ChildNode.start(dir, """
                host: 127.0.0.1
                port: 0
                api_key: %s
                jwt: {hmac_secret: %s}
                engine: redis
                redis: {url: "%s", prefix: %s, presence_ttl: 2s}
                namespaces:
                  chat: {presence: true}
                """.formatted(TestNode.API_KEY, TestNode.SECRET, RedisTestSupport.URL, prefix), null);
        process = node.process();
        return node.port();
    }

    @Test
    void clientsOfAKilledNodeRecoverOnAnotherNodeWithNoGapAndTheNodeLeavesPresenceAndTheNodeList()
            throws Exception {
        int port = startProcessNode();
        String ch = TestNode.unique("chat:");
        String token = survivor.token("ada", List.of("chat:*"), List.of(), List.of());
        String deadId;
        String deadClient;
        String epoch;
        try (WsClient c = WsClient.open(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token))) {
            deadClient = c.expect("connected").get("client").asText();
            epoch = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("epoch").asText();
            survivor.publish(ch, "msg", "{\"n\":1}");
            assertThat(c.expect("msg").get("offset").asLong()).isEqualTo(1);
            deadId = Await.value(Duration.ofSeconds(5), "the survivor lists the process node",
                    () -> survivor.api("GET", "/api/info", null).json(), j -> j.get("nodes").size() == 2)
                    .get("nodes").get(1).get("node").asText();
            assertThat(presenceClients(ch)).contains(deadClient);

            process.destroyForcibly().waitFor();
            c.awaitClose();
        }
        survivor.publish(ch, "msg", "{\"n\":2}");
        survivor.publish(ch, "msg", "{\"n\":3}");

        try (WsClient c = survivor.connectAs("ada", "chat:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"}}");
            assertThat(s.get("recovered").asBoolean()).isTrue();
            assertThat(c.expect("msg").get("offset").asLong()).isEqualTo(2);
            assertThat(c.expect("msg").get("offset").asLong()).isEqualTo(3);
            c.expectNothingPending();

            Await.until(Duration.ofSeconds(10), "the killed node's client leaves presence",
                    () -> !presenceClients(ch).contains(deadClient));
            Await.until(Duration.ofSeconds(15), "the killed node leaves /api/info",
                    () -> !survivor.api("GET", "/api/info", null).json().toString().contains(deadId));
        }
    }

    private String presenceClients(String ch) {
        return survivor.api("GET", "/api/presence/" + ch, null).json().get("clients").toString();
    }
}
