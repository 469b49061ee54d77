package io.herald.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.NamespaceConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.HistoryStore;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The contract, plus the memory store's own rules: which streams the sweep drops, eras and pins, the channel limit. */
class MemoryHistoryStoreTest extends HistoryStoreContract {
    private static final NamespaceConfig ONE_MINUTE = options(100, Duration.ofMinutes(1));
    private static final NamespaceConfig NO_HISTORY = options(0, Duration.ofMinutes(5));

    private MemoryBroker memoryBroker;
    private MemoryHistoryStore store;

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        memoryBroker = new MemoryBroker();
        store = new MemoryHistoryStore(memoryBroker, clock, 0, false);
        return new Fixture(memoryBroker, store, clock);
    }

    @Override
    protected long channelsWithState(List<ChannelName> channels) {
        return store.streamCount();
    }

    @Override
    protected void forgetIdleStreams(ChannelName channel) {
        clock().advance(MemoryHistoryStore.MIN_ERA);
        store.sweep();
    }

    @Test
    void aChannelWhoseHistoryExpiredAndThatNobodyIsSubscribedToIsGoneAtTheFirstSweepOnceItsEraIsOldEnough() {
        ChannelName channel = uniqueChannel("expired");
        NamespaceConfig tenSeconds = options(100, Duration.ofSeconds(10));
        publishMany(channel, 2, tenSeconds);
        clock().advance(Duration.ofSeconds(10));

        store.sweep();
        assertThat(store.streamCount()).as("history expired, but its era is 10 s old").isEqualTo(1);
        clock().advance(MemoryHistoryStore.MIN_ERA.minusSeconds(10));
        store.sweep();

        assertThat(store.streamCount()).isZero();
    }

    @Test
    void aStreamWithoutHistoryIsGoneOnceTheEraChanged() {
        ChannelName channel = uniqueChannel("nohistory");
        Publication last = publishMany(channel, 3, NO_HISTORY).getLast();
        clock().advance(MemoryHistoryStore.MIN_ERA);

        store.sweep();

        assertThat(store.streamCount()).isZero();
        Publication next = publish(channel, draft(4), NO_HISTORY).publication();
        assertThat(next.offset()).isEqualTo(1);
        assertThat(next.epoch()).isNotEqualTo(last.epoch());
        assertThat(read(channel, last.position(), 100, NO_HISTORY).recovered()).isFalse();
    }

    @Test
    void theEraDoesNotChangeWhileNoStreamWaitsToGo() {
        ChannelName held = uniqueChannel("held");
        ChannelName empty = uniqueChannel("empty");
        StreamPosition before = position(empty);
        publishMany(held, 3, options(100, Duration.ofDays(2)));
        clock().advance(Duration.ofDays(1));

        store.sweep();
        store.sweep();

        assertThat(store.streamCount()).isEqualTo(1);
        assertThat(position(empty)).isEqualTo(before);
        assertThat(offsets(read(held, null, 100, options(100, Duration.ofDays(2))).publications()))
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void theEraChangesAtMostOncePerMinimumEra() {
        ChannelName empty = uniqueChannel("empty");
        StreamPosition before = position(empty);
        publish(uniqueChannel("first"), draft(1), NO_HISTORY);
        clock().advance(MemoryHistoryStore.MIN_ERA.minusSeconds(1));

        store.sweep();

        assertThat(position(empty)).isEqualTo(before);
        clock().advance(Duration.ofSeconds(1));
        store.sweep();
        assertThat(position(empty).epoch()).isNotEqualTo(before.epoch());
    }

    @Test
    void aStreamWithASubscriberOnThisNodeIsKeptAfterItsHistoryExpired() {
        ChannelName channel = uniqueChannel("subscribed");
        join(broker.subscribe(channel));
        Publication last = publishMany(channel, 2, ONE_MINUTE).getLast();
        clock().advance(Duration.ofHours(2));

        store.sweep();

        assertThat(position(channel)).isEqualTo(last.position());
        join(broker.unsubscribe(channel));
        store.sweep();
        assertThat(store.streamCount()).isZero();
    }

    @Test
    void changingTheEraPinsTheEpochOfSubscribedChannelsWithoutAStreamUntilTheirSubscribersLeave() {
        ChannelName subscribed = uniqueChannel("pinned");
        ChannelName other = uniqueChannel("other");
        join(broker.subscribe(subscribed));
        StreamPosition told = position(subscribed);
        publish(uniqueChannel("churn"), draft(1), NO_HISTORY);
        clock().advance(MemoryHistoryStore.MIN_ERA);

        store.sweep();

        assertThat(position(other).epoch()).as("a channel nobody subscribed to").isNotEqualTo(told.epoch());
        assertThat(position(subscribed)).isEqualTo(told);
        Publication first = publish(subscribed, draft(1), ONE_MINUTE).publication();
        assertThat(first.position()).isEqualTo(new StreamPosition(1, told.epoch()));
        assertThat(offsets(read(subscribed, told, 100, ONE_MINUTE).publications())).containsExactly(1L);
    }

    @Test
    void subscribersJoiningWhileErasChangeGetTheirFirstPublicationUnderTheEpochTheyWereTold() throws Exception {
        Map<ChannelName, String> told = new ConcurrentHashMap<>();
        AtomicInteger changes = new AtomicInteger();
        Runnable changeEra = () -> {
            publish(ChannelName.of("churn:" + changes.get()), draft(1), NO_HISTORY);
            clock().advance(MemoryHistoryStore.MIN_ERA);
            store.sweep();
            changes.incrementAndGet();
        };
        changeEra.run(); // warm up the publish and sweep paths
        List<Thread> joiners = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            joiners.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 20_000 && changes.get() < 500; i++) {
                    ChannelName channel = ChannelName.of("race:" + thread + "-" + i);
                    join(broker.subscribe(channel));
                    told.put(channel, position(channel).epoch());
                }
            }));
        }
        while (joiners.stream().anyMatch(Thread::isAlive)) {
            changeEra.run();
        }

        long mismatched = told.entrySet().stream()
                .filter(e -> !publish(e.getKey(), draft(1), ONE_MINUTE).publication().epoch().equals(e.getValue()))
                .count();
        assertThat(mismatched).as("of %d channels subscribed while %d eras changed", told.size(), changes.get()).isZero();
    }

    @Test
    void aPinIsDroppedOnceTheChannelsSubscribersLeft() {
        ChannelName subscribed = uniqueChannel("pin");
        join(broker.subscribe(subscribed));
        StreamPosition told = position(subscribed);
        publish(uniqueChannel("churn"), draft(1), NO_HISTORY);
        clock().advance(MemoryHistoryStore.MIN_ERA);
        store.sweep();
        store.sweep();
        assertThat(store.streamCount()).as("the pin").isEqualTo(1);

        join(broker.unsubscribe(subscribed));
        store.sweep();

        assertThat(store.streamCount()).isZero();
        assertThat(position(subscribed).epoch()).isNotEqualTo(told.epoch());
        assertThat(read(subscribed, told, 100, ONE_MINUTE).recovered()).isFalse();
    }

    @Test
    void aStreamWithALiveIdempotencyKeyIsKeptSoARetryIsStillADuplicate() {
        ChannelName channel = uniqueChannel("idem");
        PublicationDraft keyed = new PublicationDraft("order", raw("{}"), null, "key-1");
        Publication first = publish(channel, keyed, NO_HISTORY).publication();
        clock().advance(Duration.ofMinutes(2));

        store.sweep();
        store.sweep();

        assertThat(store.streamCount()).isEqualTo(1);
        assertThat(publish(channel, keyed, NO_HISTORY).duplicate()).isTrue();
        clock().advance(Duration.ofMillis(HistoryStore.IDEMPOTENCY_WINDOW_MILLIS));
        store.sweep();
        assertThat(store.streamCount()).isZero();
        assertThat(position(channel).epoch()).isNotEqualTo(first.epoch());
    }

    @Test
    void aPublishToANewChannelPastTheLimitIsRefusedAndChannelsWithAStreamKeepWorking() {
        MemoryHistoryStore limited = new MemoryHistoryStore(new MemoryBroker(), clock(), 2, false);
        try {
            ChannelName a = uniqueChannel("a");
            ChannelName b = uniqueChannel("b");
            ChannelName c = uniqueChannel("c");
            join(limited.publish(a, draft(1), OPTIONS));
            join(limited.publish(b, draft(1), OPTIONS));

            CompletionException refused = org.assertj.core.api.Assertions.catchThrowableOfType(CompletionException.class,
                    () -> join(limited.publish(c, draft(1), OPTIONS)));

            assertThat(refused.getCause()).isInstanceOf(ChannelLimitException.class)
                    .hasMessageContaining("limits.max_channels");
            assertThat(limited.streamCount()).isEqualTo(2);
            assertThat(join(limited.position(c, OPTIONS)).offset()).isZero();
            assertThat(join(limited.publish(a, draft(2), OPTIONS)).publication().offset()).isEqualTo(2);
        } finally {
            limited.close();
        }
    }

    @Test
    void anIdempotencyKeyDoesNotKeepItsPublicationAliveOnceHistoryDroppedIt() {
        ChannelName channel = uniqueChannel("idem-weak");
        NamespaceConfig none = options(0, Duration.ofMinutes(5));
        PublicationDraft keyed = new PublicationDraft("order", raw("{\"pad\":\"" + "x".repeat(100_000) + "\"}"), null, "key-1");
        WeakReference<Publication> published = new WeakReference<>(publish(channel, keyed, none).publication());

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (published.get() != null) {
            assertThat(System.nanoTime()).as("the publication is still reachable after GC").isLessThan(deadline);
            System.gc();
        }
        PublishResult retry = publish(channel, keyed, none);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.position().offset()).isEqualTo(1);
    }
}
