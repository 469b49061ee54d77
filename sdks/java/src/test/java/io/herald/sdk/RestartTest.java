package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A burst of 200 publishes while the node (Redis engine) is stopped mid-way and restarted on the
 * same port within the retry deadline: every publish that returned success is in history exactly
 * once, in order.
 */
class RestartTest {
    @Test
    void everyPublishThatSucceededThroughARestartIsInHistoryOnceInOrder() throws Exception {
        String prefix;
        try (TestServer server = TestServer.redis();
             HeraldApi api = server.api().timeout(Duration.ofSeconds(2)).maxBackoff(Duration.ofSeconds(1))
                     .retryDeadline(Duration.ofSeconds(30)).build()) {
            prefix = server.redisPrefix;
            String channel = "feed:restart" + System.nanoTime();
            List<PublishResult> succeeded = new CopyOnWriteArrayList<>();
            List<Integer> seqs = new CopyOnWriteArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread burst = Thread.ofPlatform().name("burst").start(() -> {
                for (int i = 1; i <= 200; i++) {
                    try {
                        succeeded.add(api.publish(channel, "n", Map.of("seq", i)));
                        seqs.add(i);
                    } catch (HeraldApiException e) {
                        failures.add(e);
                    }
                }
            });
            Await.until("50 publishes before the stop", Duration.ofSeconds(20), () -> succeeded.size() >= 50);
            server.stop();
            int atStop = succeeded.size();
            Await.sleep(1500); // down for a while: the burst keeps retrying against a closed port
            server.start();
            burst.join(Duration.ofSeconds(60).toMillis());
            assertThat(burst.isAlive()).isFalse();
            assertThat(failures).isEmpty();
            assertThat(seqs).hasSize(200);
            assertThat(atStop).isLessThan(200);

            List<Integer> held = new ArrayList<>();
            List<Long> offsets = new ArrayList<>();
            HistoryResult page = api.history(channel, HistoryOptions.since(0, succeeded.getFirst().epoch()).withLimit(100));
            while (!page.publications().isEmpty()) {
                page.publications().forEach(p -> {
                    held.add(p.data().get("seq").asInt());
                    offsets.add(p.offset());
                });
                long last = page.publications().getLast().offset();
                page = api.history(channel, HistoryOptions.since(last, page.epoch()).withLimit(100));
            }
            assertThat(held).isEqualTo(seqs);
            assertThat(offsets).isEqualTo(succeeded.stream().map(PublishResult::offset).toList());
            assertThat(succeeded).extracting(PublishResult::epoch).containsOnly(succeeded.getFirst().epoch());
        }
        assertThat(TestServer.countRedisKeys(prefix)).as("keys left under " + prefix).isZero();
    }
}
