package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.NamespaceConfig;
import io.herald.engine.Engine;
import io.herald.engine.HistoryStore;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import io.herald.engine.PublicationDraft;
import io.herald.protocol.ChannelName;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The history contract against the real local Redis, on a controllable clock and with a 5-second
 * era (so a forgotten stream is gone within seconds), plus how long the keys of a stream live.
 */
class RedisHistoryStoreTest extends HistoryStoreContract {
    @RegisterExtension
    static final RedisEngines ENGINES = new RedisEngines("history");
    private static final Duration ERA = Duration.ofSeconds(5);
    private static final NamespaceConfig NO_HISTORY = options(0, Duration.ofMinutes(5));

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        Engine engine = ENGINES.track(RedisEngine.create(ENGINES.config(), clock, ERA));
        return new Fixture(engine.broker(), engine.history(), clock);
    }

    @Test
    void anIdempotencyKeyRecordsWhereItsPublicationWentNotItsPayload() {
        ChannelName channel = uniqueChannel("idem-size");
        publish(channel, new PublicationDraft("order", raw("{\"pad\":\"" + "x".repeat(100_000) + "\"}"), null, "key-1"),
                OPTIONS);

        String key = new RedisKeys(ENGINES.config().prefix()).idempotency(channel, "key-1");
        RedisClient client = RedisClient.create(RedisTestSupport.URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            assertThat(c.sync().strlen(key)).isBetween(1L, 64L);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Override
    protected long channelsWithState(List<ChannelName> channels) {
        return ENGINES.channelsWithKeys(channels);
    }

    /** Two eras on: whatever era the channel's slot was in, the next script makes a new one. */
    @Override
    protected void forgetIdleStreams(ChannelName channel) {
        clock().advance(ERA.multipliedBy(2).plusSeconds(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (channelsWithState(List.of(channel)) > 0) {
            assertThat(System.nanoTime()).as("the keys of %s expired", channel).isLessThan(deadline);
            sleep(100);
        }
    }

    @Test
    void aStreamMadeInTheCurrentEraIsKeptUntilTheEraIsOver() {
        ChannelName channel = uniqueChannel("newera");

        publish(channel, draft(1), NO_HISTORY);

        assertThat(pttl(ENGINES.keys().stream(channel))).isGreaterThan(ERA.toMillis() / 10)
                .isLessThanOrEqualTo(ERA.toMillis() + ERA.toMillis() / 10);
    }

    @Test
    void aStreamWithASubscribedNodeIsKeptAWholeEraAfterEachPublishAndPositionRead() {
        ChannelName channel = uniqueChannel("subscribed");
        join(broker.subscribe(channel));
        publish(channel, draft(1), NO_HISTORY);
        clock().advance(ERA.multipliedBy(3));

        publish(channel, draft(2), NO_HISTORY);
        assertThat(pttl(ENGINES.keys().stream(channel))).isGreaterThan(ERA.toMillis() - 1000);
        sleep(1500);
        position(channel);

        assertThat(pttl(ENGINES.keys().stream(channel))).isGreaterThan(ERA.toMillis() - 1000);
    }

    @Test
    void aStreamHoldingAnIdempotencyKeyIsKeptForTheWholeWindow() {
        ChannelName channel = uniqueChannel("idem");
        publish(channel, draft(1), NO_HISTORY);
        clock().advance(ERA.multipliedBy(3));

        publish(channel, new PublicationDraft("order", raw("{}"), null, "key-1"), NO_HISTORY);

        assertThat(pttl(ENGINES.keys().stream(channel))).isGreaterThanOrEqualTo(HistoryStore.IDEMPOTENCY_WINDOW_MILLIS);
    }

    private static long pttl(String key) {
        RedisClient client = RedisClient.create(RedisTestSupport.URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().pttl(key);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
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
}
