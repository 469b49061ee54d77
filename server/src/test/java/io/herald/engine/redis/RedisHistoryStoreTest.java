package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.engine.Engine;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import io.herald.engine.PublicationDraft;
import io.herald.protocol.ChannelName;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The history contract against the real local Redis, on a controllable clock. */
class RedisHistoryStoreTest extends HistoryStoreContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("history");

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        Engine engine = ENGINES.track(RedisEngine.create(ENGINES.config(), clock, RedisHistoryStore.DEFAULT_STREAM_IDLE));
        return new Fixture(engine.broker(), engine.history(), clock);
    }

    @Test
    void anIdempotencyKeyRecordsWhereItsPublicationWentNotItsPayload() {
        ChannelName channel = uniqueChannel("idem-size");
        publish(channel, new PublicationDraft("order", json("{\"pad\":\"" + "x".repeat(100_000) + "\"}"), null, "key-1"),
                OPTIONS);

        String key = new RedisKeys(ENGINES.config().prefix()).idempotency(channel, "key-1");
        RedisClient client = RedisClient.create(RedisTestSupport.URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            assertThat(c.sync().strlen(key)).isBetween(1L, 64L);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
