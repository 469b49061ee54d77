package io.herald.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.WebhookEvent;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The {@link HookStore} contract, run against every implementation by a subclass that supplies
 * {@link #create()}: the events each change causes (occupied once, vacated after the delay unless
 * occupied again, presence per user), gap-free seqs in order, one batch of a channel out at a time,
 * retries after a backoff, max_queue and max_age. Hook ids and channels are random, so the suite can
 * share one backend.
 */
public abstract class HookStoreContract {
    private static final long LEASE = 60_000;

    /** A fresh store, not started, closed by the subclass after the test. */
    protected abstract HookStore create();

    protected final AtomicInteger refused = new AtomicInteger();
    protected final AtomicInteger queued = new AtomicInteger();
    protected final List<String> expired = new ArrayList<>();

    protected final HookStore.Listener listener = new HookStore.Listener() {
        @Override
        public void presenceExpired(ChannelName channel, ClientInfo client) {
            synchronized (expired) {
                expired.add(channel.value() + " " + client.client());
            }
        }

        @Override
        public void queued(String hookId, int q, int r) {
            queued.addAndGet(q);
            refused.addAndGet(r);
        }
    };

    private static int mask(Set<WebhookEvent> events) {
        int m = 0;
        for (WebhookEvent e : events) {
            m |= e.bit();
        }
        return m;
    }

    protected static HookStore.Hook hook(Set<WebhookEvent> events, long vacateMillis, long maxAgeMillis, int maxQueue) {
        return new HookStore.Hook("h" + UUID.randomUUID().toString().substring(0, 8), mask(events), vacateMillis,
                maxAgeMillis, maxQueue);
    }

    private HookStore started(HookStore.Hook h) {
        HookStore store = create();
        store.start("n_" + UUID.randomUUID().toString().substring(0, 8), List.of(h), listener);
        return store;
    }

    protected static ChannelName channel() {
        return ChannelName.of("contract:" + UUID.randomUUID().toString().replace("-", ""));
    }

    protected static <T> T join(CompletableFuture<T> f) {
        return f.orTimeout(5, TimeUnit.SECONDS).join();
    }

    /** Claims until something of {@code channel} is handed out (or 5 s pass: then an empty list). */
    private static List<HookStore.Batch> claimUntil(HookStore store, HookStore.Hook h, ChannelName channel,
                                                    Supplier<Boolean> also) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            List<HookStore.Batch> out = join(store.claim(h.id(), 10, 100, LEASE)).stream()
                    .filter(b -> b.channel().equals(channel)).toList();
            if (!out.isEmpty() && also.get()) {
                return out;
            }
            sleep(20);
        }
        return List.of();
    }

    private static List<String> names(List<HookStore.QueuedEvent> events) {
        return events.stream().map(e -> EnumSet.allOf(WebhookEvent.class).stream()
                .filter(w -> w.bit() == e.bit()).findFirst().orElseThrow().wire()).toList();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aChannelIsOccupiedOnceAndVacatedAfterTheDelayUnlessOccupiedAgainInTime() {
        HookStore.Hook h = hook(EnumSet.allOf(WebhookEvent.class), 300, 3_600_000, 1000);
        HookStore store = started(h);
        ChannelName ch = channel();
        join(store.occupy(ch));
        join(store.vacate(ch));
        join(store.occupy(ch));
        sleep(600);
        join(store.vacate(ch));
        // the vacated check is due 300 ms after the vacate; claim once both are queued (a claim leases the channel)
        sleep(800);
        List<HookStore.Batch> got = claimUntil(store, h, ch, () -> true);
        assertThat(got).hasSize(1);
        assertThat(names(got.getFirst().events())).containsExactly("channel_occupied", "channel_vacated");
        assertThat(got.getFirst().events().stream().map(HookStore.QueuedEvent::seq).toList()).containsExactly(1L, 2L);
    }

    @Test
    void aUsersFirstJoinAndLastLeaveAreTheOnlyPresenceEvents() {
        HookStore.Hook h = hook(EnumSet.of(WebhookEvent.PRESENCE_JOIN, WebhookEvent.PRESENCE_LEAVE), 0, 3_600_000, 1000);
        HookStore store = started(h);
        ChannelName ch = channel();
        ClientInfo tab1 = new ClientInfo("c1", "ada", null);
        ClientInfo tab2 = new ClientInfo("c2", "ada", null);
        ClientInfo other = new ClientInfo("c3", "bob", null);
        join(store.join(ch, tab1, false));
        join(store.join(ch, tab2, false));
        join(store.join(ch, tab1, false));
        join(store.join(ch, other, false));
        join(store.leave(ch, tab1, false));
        join(store.leave(ch, tab1, false));
        join(store.leave(ch, tab2, false));
        join(store.occupy(ch));
        join(store.clientPublished(ch, "\"user\":\"ada\""));
        HookStore.Batch b = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(names(b.events())).containsExactly("presence_join", "presence_join", "presence_leave");
        assertThat(b.events().stream().map(HookStore.QueuedEvent::fields).toList())
                .containsExactly("\"user\":\"ada\"", "\"user\":\"bob\"", "\"user\":\"ada\"");
    }

    @Test
    void wantsNamesTheEventsSomeHookTakesAndNoOthers() {
        HookStore store = started(hook(EnumSet.of(WebhookEvent.CLIENT_PUBLISH, WebhookEvent.PRESENCE_JOIN), 0, 60_000, 10));
        assertThat(store.wants(WebhookEvent.CLIENT_PUBLISH)).isTrue();
        assertThat(store.wants(WebhookEvent.PRESENCE_JOIN)).isTrue();
        assertThat(store.wants(WebhookEvent.CHANNEL_OCCUPIED)).isFalse();
        HookStore none = create();
        none.start("n_" + UUID.randomUUID().toString().substring(0, 8), List.of(), listener);
        for (WebhookEvent e : WebhookEvent.values()) {
            assertThat(none.wants(e)).as(e.wire()).isFalse();
        }
    }

    @Test
    void aChannelsEventsAreHandedOutInSeqOrderOneBatchAtATime() {
        HookStore.Hook h = hook(EnumSet.of(WebhookEvent.CLIENT_PUBLISH), 0, 3_600_000, 1000);
        HookStore store = started(h);
        ChannelName ch = channel();
        for (int i = 1; i <= 3; i++) {
            join(store.clientPublished(ch, "\"n\":" + i));
        }
        HookStore.Batch first = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(first.events().stream().map(HookStore.QueuedEvent::seq).toList()).containsExactly(1L, 2L, 3L);
        join(store.clientPublished(ch, "\"n\":4"));
        assertThat(join(store.claim(h.id(), 10, 100, LEASE))).as("leased while its batch is out").isEmpty();
        join(store.delivered(h.id(), first));
        HookStore.Batch next = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(next.events().stream().map(HookStore.QueuedEvent::fields).toList()).containsExactly("\"n\":4");
        assertThat(next.events().getFirst().seq()).isEqualTo(4);
        join(store.delivered(h.id(), next));
        assertThat(join(store.depth(h.id()))).isZero();
        assertThat(join(store.claim(h.id(), 10, 100, LEASE))).isEmpty();
    }

    @Test
    void aFailedBatchComesBackAfterTheBackoffWithItsAttemptsCounted() {
        HookStore.Hook h = hook(EnumSet.of(WebhookEvent.CLIENT_PUBLISH), 0, 3_600_000, 1000);
        HookStore store = started(h);
        ChannelName ch = channel();
        join(store.clientPublished(ch, "\"n\":1"));
        HookStore.Batch b = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(b.attempts()).isZero();
        join(store.failed(h.id(), b, 400, 1000));
        long failedAt = System.nanoTime();
        assertThat(join(store.claim(h.id(), 10, 100, LEASE))).as("not before the backoff").isEmpty();
        HookStore.Batch again = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat((System.nanoTime() - failedAt) / 1_000_000).isGreaterThanOrEqualTo(350);
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.events()).isEqualTo(b.events());
    }

    @Test
    void eventsPastMaxQueueAreRefusedAndReportedButUseTheirSeq() {
        HookStore.Hook h = hook(EnumSet.of(WebhookEvent.CLIENT_PUBLISH), 0, 3_600_000, 3);
        HookStore store = started(h);
        ChannelName ch = channel();
        for (int i = 1; i <= 5; i++) {
            join(store.clientPublished(ch, "\"n\":" + i));
        }
        assertThat(refused.get()).isEqualTo(2);
        assertThat(queued.get()).isEqualTo(3);
        HookStore.Batch b = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(b.events().stream().map(HookStore.QueuedEvent::seq).toList()).containsExactly(1L, 2L, 3L);
        join(store.delivered(h.id(), b));
        join(store.clientPublished(ch, "\"n\":6"));
        assertThat(claimUntil(store, h, ch, () -> true).getFirst().events().getFirst().seq()).isEqualTo(6);
    }

    @Test
    void eventsOlderThanMaxAgeAreDroppedWhenClaimed() {
        HookStore.Hook h = hook(EnumSet.of(WebhookEvent.CLIENT_PUBLISH), 0, 200, 1000);
        HookStore store = started(h);
        ChannelName ch = channel();
        join(store.clientPublished(ch, "\"n\":1"));
        sleep(300);
        HookStore.Batch b = claimUntil(store, h, ch, () -> true).getFirst();
        assertThat(b.expired()).isEqualTo(1);
        assertThat(b.events()).isEmpty();
        assertThat(join(store.depth(h.id()))).isZero();
    }
}
