package io.herald.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.NamespaceConfig;
import io.herald.engine.HistoryStore;
import io.herald.engine.HistoryStoreContract;
import io.herald.engine.ManualClock;
import io.herald.engine.PublicationDraft;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The contract, plus the memory store's own sweep of idle streams. */
class MemoryHistoryStoreTest extends HistoryStoreContract {
    private static final Duration IDLE = Duration.ofHours(1);

    private MemoryHistoryStore store;

    @Override
    protected Fixture create() {
        ManualClock clock = new ManualClock();
        MemoryBroker broker = new MemoryBroker();
        store = new MemoryHistoryStore(broker, clock, IDLE, false);
        return new Fixture(broker, store, clock);
    }

    @Test
    void sweepDropsAnIdleEmptyStreamAndTheChannelStartsOverAtZeroWithANewEpoch() {
        ChannelName channel = uniqueChannel("idle");
        StreamPosition before = position(channel);
        clock().advance(IDLE);

        store.sweep();

        assertThat(store.streamCount()).isZero();
        StreamPosition after = position(channel);
        assertThat(after.offset()).isZero();
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
    }

    @Test
    void sweepDropsAStreamWhoseHistoryIsOffAndTheNextPublishGetsOffsetOneUnderANewEpoch() {
        ChannelName channel = uniqueChannel("nohistory");
        NamespaceConfig none = options(0, Duration.ofMinutes(5));
        Publication last = publishMany(channel, 3, none).getLast();
        clock().advance(IDLE);

        store.sweep();

        Publication next = publish(channel, draft(4), none).publication();
        assertThat(next.offset()).isEqualTo(1);
        assertThat(next.epoch()).isNotEqualTo(last.epoch());
        assertThat(read(channel, last.position(), 100, none).recovered()).isFalse();
    }

    @Test
    void sweepDropsAStreamOnceEverythingItHeldHasExpired() {
        ChannelName channel = uniqueChannel("expired");
        NamespaceConfig oneMinute = options(100, Duration.ofMinutes(1));
        Publication last = publishMany(channel, 2, oneMinute).getLast();
        clock().advance(IDLE);

        store.sweep();

        assertThat(store.streamCount()).isZero();
        assertThat(position(channel).epoch()).isNotEqualTo(last.epoch());
    }

    @Test
    void sweepKeepsAStreamThatStillHoldsPublications() {
        ChannelName channel = uniqueChannel("held");
        NamespaceConfig twoDays = options(100, Duration.ofDays(2));
        Publication last = publishMany(channel, 3, twoDays).getLast();
        clock().advance(IDLE.multipliedBy(3));

        store.sweep();

        assertThat(store.streamCount()).isEqualTo(1);
        assertThat(position(channel)).isEqualTo(last.position());
        assertThat(offsets(read(channel, null, 100, twoDays).publications())).containsExactly(1L, 2L, 3L);
    }

    @Test
    void sweepKeepsAStreamUsedWithinTheIdleTime() {
        ChannelName channel = uniqueChannel("recent");
        NamespaceConfig none = options(0, Duration.ofMinutes(5));
        clock().advance(IDLE.dividedBy(2));
        Publication last = publish(channel, draft(1), none).publication();
        clock().advance(IDLE.dividedBy(2));

        store.sweep();

        assertThat(position(channel)).isEqualTo(last.position());
    }

    @Test
    void sweepKeepsAStreamWithALiveIdempotencyKeySoARetryIsStillADuplicate() {
        MemoryHistoryStore shortIdle = new MemoryHistoryStore(new MemoryBroker(), clock(), Duration.ofMinutes(1), false);
        ChannelName channel = uniqueChannel("idem");
        NamespaceConfig none = options(0, Duration.ofMinutes(5));
        PublicationDraft keyed = new PublicationDraft("order", raw("{}"), null, "key-1");
        Publication first = join(shortIdle.publish(channel, keyed, none)).publication();
        clock().advance(Duration.ofMinutes(2));

        shortIdle.sweep();

        assertThat(shortIdle.streamCount()).isEqualTo(1);
        assertThat(join(shortIdle.publish(channel, keyed, none)).duplicate()).isTrue();
        clock().advance(Duration.ofMillis(HistoryStore.IDEMPOTENCY_WINDOW_MILLIS));
        shortIdle.sweep();
        assertThat(shortIdle.streamCount()).isZero();
        assertThat(join(shortIdle.position(channel, none)).epoch()).isNotEqualTo(first.epoch());
        shortIdle.close();
    }
}
