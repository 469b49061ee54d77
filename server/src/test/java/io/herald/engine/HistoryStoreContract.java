package io.herald.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.NamespaceConfig;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import io.herald.protocol.RawJson;
import io.herald.protocol.StreamPosition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link HistoryStore} contract (offsets, epochs, history, recovery, idempotency, hand-off to the
 * broker), run against every implementation by a subclass that supplies {@link #create()}.
 *
 * <p>Every test uses channels with a random suffix, so the suite can share one backend (e.g. one Redis
 * server) across tests and runs. Waiting is by polling against a deadline, never by fixed sleeps.
 */
public abstract class HistoryStoreContract {
    /**
     * The parts under test.
     *
     * @param broker  the broker the store hands publications to, not yet started: the suite starts it
     * @param history the store under test
     * @param clock   the clock the store reads its time from, or null when the implementation cannot
     *                run on a controllable clock (tests that move time are then skipped)
     */
    public record Fixture(Broker broker, HistoryStore history, ManualClock clock) {
    }

    /** A fresh store and broker; called before each test. Both are closed after it. */
    protected abstract Fixture create();

    /**
     * How many of {@code channels} the store holds any state for (memory: a stream; Redis: any key
     * of the channel). The implementation's own bookkeeping that is not per channel is not counted.
     */
    protected abstract long channelsWithState(List<ChannelName> channels);

    /**
     * Lets the store forget the streams that may go, moving the {@link #clock()} as far as that needs,
     * and returns once {@code channel}'s is gone. The channel must hold no history and have no
     * subscriber. Memory: past the era and through the sweeps; Redis: past the era, then until the
     * keys expired.
     */
    protected abstract void forgetIdleStreams(ChannelName channel);

    protected static final NamespaceConfig OPTIONS = NamespaceConfig.DEFAULTS;

    protected Fixture fixture;
    protected HistoryStore history;
    protected Broker broker;
    protected final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void startFixture() {
        fixture = create();
        history = fixture.history();
        broker = fixture.broker();
        broker.start(listener);
    }

    @AfterEach
    void closeFixture() {
        if (fixture != null) {
            history.close();
            broker.close();
        }
    }

    // ---- helpers ----

    protected static ChannelName uniqueChannel(String name) {
        return ChannelName.of("contract:" + name + "-" + UUID.randomUUID().toString().replace("-", ""));
    }

    protected static NamespaceConfig options(int historySize, Duration historyTtl) {
        return new NamespaceConfig(historySize, historyTtl, false, false, false, false);
    }

    protected static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(RecordingListener.DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** {@code text} as publication data, validated as the wire validates it. */
    protected static RawJson raw(String text) {
        try {
            return RawJson.parse(text);
        } catch (Exception e) {
            throw new AssertionError("bad JSON in test: " + text, e);
        }
    }

    protected static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("bad JSON in test: " + text, e);
        }
    }

    protected static PublicationDraft draft(int n) {
        return new PublicationDraft("update", raw("{\"n\":" + n + "}"), null, null);
    }

    protected PublishResult publish(ChannelName channel, PublicationDraft draft, NamespaceConfig options) {
        return join(history.publish(channel, draft, options));
    }

    /** Publishes {@code count} drafts and returns the publications in order. */
    protected List<Publication> publishMany(ChannelName channel, int count, NamespaceConfig options) {
        List<Publication> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(publish(channel, draft(i), options).publication());
        }
        return out;
    }

    protected StreamPosition position(ChannelName channel) {
        return join(history.position(channel, OPTIONS));
    }

    protected HistoryResult read(ChannelName channel, StreamPosition since, int limit, NamespaceConfig options) {
        return join(history.read(channel, since, limit, options));
    }

    protected static List<Long> offsets(List<Publication> publications) {
        return publications.stream().map(Publication::offset).toList();
    }

    protected ManualClock clock() {
        assumeThat(fixture.clock()).as("implementation runs on a controllable clock").isNotNull();
        return fixture.clock();
    }

    // ---- offsets and epochs ----

    @Test
    void newChannelIsAtOffsetZeroWithAnAlphanumericEpochOfOneToSixteenCharacters() {
        ChannelName channel = uniqueChannel("new");

        StreamPosition position = position(channel);

        assertThat(position.offset()).isZero();
        assertThat(position.epoch()).matches("[A-Za-z0-9]{1,16}");
        assertThat(position(channel)).isEqualTo(position);
    }

    @Test
    void firstPublishGetsOffsetOneAndEachNextAddsOneUnderAStableEpoch() {
        ChannelName channel = uniqueChannel("offsets");
        String epoch = position(channel).epoch();

        List<Publication> published = publishMany(channel, 5, OPTIONS);

        assertThat(offsets(published)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(published).extracting(Publication::epoch).containsOnly(epoch);
        assertThat(position(channel)).isEqualTo(new StreamPosition(5, epoch));
    }

    @Test
    void firstPublishOnAnUntouchedChannelGetsOffsetOneAndTheEpochPositionThenReports() {
        ChannelName channel = uniqueChannel("untouched");

        Publication first = publish(channel, draft(1), OPTIONS).publication();

        assertThat(first.offset()).isEqualTo(1);
        assertThat(first.epoch()).matches("[A-Za-z0-9]{1,16}");
        assertThat(position(channel)).isEqualTo(first.position());
    }

    @Test
    void channelsHaveIndependentOffsetCounters() {
        ChannelName a = uniqueChannel("a");
        ChannelName b = uniqueChannel("b");

        StreamPosition onA = publishMany(a, 3, OPTIONS).getLast().position();
        Publication onB = publish(b, draft(1), OPTIONS).publication();

        assertThat(onB.offset()).isEqualTo(1);
        assertThat(position(a)).isEqualTo(onA);
    }

    // ---- channels without publications hold no state ----

    @Test
    void positionsAndReadsOfChannelsWithoutPublicationsStoreNothing() {
        List<ChannelName> fresh = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            fresh.add(uniqueChannel("fresh" + i));
        }
        for (ChannelName channel : fresh) {
            StreamPosition start = position(channel);
            assertThat(start.offset()).isZero();
            HistoryResult latest = read(channel, null, 100, OPTIONS);
            assertThat(latest.position()).isEqualTo(start);
            assertThat(latest.recovered()).isTrue();
            HistoryResult since = read(channel, start, 100, OPTIONS);
            assertThat(since.recovered()).isTrue();
            assertThat(since.publications()).isEmpty();
            assertThat(read(channel, new StreamPosition(7, "elsewhere"), 100, OPTIONS).recovered()).isFalse();
        }

        assertThat(channelsWithState(fresh)).isZero();
    }

    @Test
    void firstPublicationOfAChannelCarriesTheEpochItsEmptyPositionReported() {
        ChannelName channel = uniqueChannel("firstepoch");
        StreamPosition empty = position(channel);

        Publication first = publish(channel, draft(1), OPTIONS).publication();

        assertThat(first.position()).isEqualTo(new StreamPosition(1, empty.epoch()));
        assertThat(channelsWithState(List.of(channel))).isEqualTo(1);
    }

    @Test
    void clientThatSubscribedToAnEmptyChannelRecoversTheFirstPublicationsWithTheEpochItWasGiven() {
        ChannelName channel = uniqueChannel("joinedempty");
        join(broker.subscribe(channel));
        StreamPosition subscribedAt = position(channel);

        List<Publication> missed = publishMany(channel, 3, OPTIONS);

        HistoryResult result = read(channel, subscribedAt, 100, OPTIONS);
        assertThat(result.recovered()).isTrue();
        assertThat(offsets(result.publications())).containsExactly(1L, 2L, 3L);
        assertThat(result.position()).isEqualTo(new StreamPosition(3, subscribedAt.epoch()));
        assertThat(missed).extracting(Publication::epoch).containsOnly(subscribedAt.epoch());
    }

    @Test
    void concurrentPublishersGetEveryOffsetOnceAndTheBrokerDeliversThemInOffsetOrder() throws Exception {
        ChannelName channel = uniqueChannel("concurrent");
        join(broker.subscribe(channel));
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Long>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    start.await();
                    List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        futures.add(history.publish(channel, draft(thread * perThread + i), OPTIONS));
                    }
                    return futures.stream().map(f -> join(f).publication().offset()).toList();
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> task : tasks) {
                all.addAll(task.get());
            }

            long total = (long) threads * perThread;
            assertThat(all).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            List<Publication> delivered = listener.awaitPublications(channel, (int) total);
            assertThat(offsets(delivered)).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(position(channel).offset()).isEqualTo(total);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aForgottenStreamDoesNotRecoverAndItsEpochNeverNumbersNewPublications() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("forgotten");
        NamespaceConfig oneSecond = options(100, Duration.ofSeconds(1));
        StreamPosition empty = position(channel);
        Publication last = publishMany(channel, 3, oneSecond).getLast();
        clock.advance(Duration.ofSeconds(2));

        forgetIdleStreams(channel);

        assertThat(channelsWithState(List.of(channel))).isZero();
        StreamPosition after = position(channel);
        assertThat(after.offset()).isZero();
        assertThat(after.epoch()).isNotEqualTo(last.epoch());
        assertThat(read(channel, last.position(), 100, oneSecond).recovered()).as("since the last offset").isFalse();
        assertThat(read(channel, empty, 100, oneSecond).recovered()).as("since offset 0 before the stream").isFalse();

        Publication again = publish(channel, draft(4), oneSecond).publication();

        assertThat(again.position()).isEqualTo(new StreamPosition(1, after.epoch()));
        assertThat(read(channel, last.position(), 100, oneSecond).recovered()).isFalse();
        assertThat(read(channel, new StreamPosition(1, last.epoch()), 100, oneSecond).recovered()).isFalse();
        assertThat(read(channel, empty, 100, oneSecond).recovered()).isFalse();
        HistoryResult sinceForgotten = read(channel, after, 100, oneSecond);
        assertThat(sinceForgotten.recovered()).isTrue();
        assertThat(offsets(sinceForgotten.publications())).containsExactly(1L);
    }

    // ---- hand-off to the broker ----

    @Test
    void publishHandsThePublicationToTheBrokerForSubscribedNodes() {
        ChannelName channel = uniqueChannel("handoff");
        join(broker.subscribe(channel));

        Publication published = publish(channel, draft(1), OPTIONS).publication();

        Publication delivered = listener.awaitPublications(channel, 1).getFirst();
        assertThat(delivered.position()).isEqualTo(published.position());
        assertThat(delivered.event()).isEqualTo("update");
        assertThat(delivered.frameText()).isEqualTo(published.frameText());
    }

    @Test
    void publicationsOfChannelsThisNodeIsNotSubscribedToAreNotDelivered() {
        ChannelName subscribed = uniqueChannel("subscribed");
        ChannelName other = uniqueChannel("other");
        join(broker.subscribe(subscribed));

        publish(other, draft(1), OPTIONS);
        // A later publication on a subscribed channel is the barrier: once it has arrived, an
        // earlier one on the other channel would have too.
        publish(subscribed, draft(2), OPTIONS);

        listener.awaitPublications(subscribed, 1);
        assertThat(listener.publications(other)).isEmpty();
    }

    @Test
    void afterBrokerUnsubscribePublicationsAreNoLongerDelivered() {
        ChannelName channel = uniqueChannel("unsub");
        ChannelName barrier = uniqueChannel("barrier");
        join(broker.subscribe(channel));
        join(broker.subscribe(barrier));
        publish(channel, draft(1), OPTIONS);
        listener.awaitPublications(channel, 1);

        join(broker.unsubscribe(channel));
        publish(channel, draft(2), OPTIONS);
        publish(barrier, draft(3), OPTIONS);

        listener.awaitPublications(barrier, 1);
        assertThat(offsets(listener.publications(channel))).containsExactly(1L);
    }

    // ---- what history holds ----

    @Test
    void historyHoldsOnlyTheLastHistorySizePublications() {
        ChannelName channel = uniqueChannel("size");
        NamespaceConfig three = options(3, Duration.ofMinutes(5));

        publishMany(channel, 5, three);

        HistoryResult result = read(channel, null, 100, three);
        assertThat(offsets(result.publications())).containsExactly(3L, 4L, 5L);
        assertThat(result.position().offset()).isEqualTo(5);
    }

    @Test
    void historyDropsPublicationsOnceTheyAreHistoryTtlOld() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("ttl");
        NamespaceConfig tenSeconds = options(100, Duration.ofSeconds(10));

        publish(channel, draft(1), tenSeconds);
        clock.advance(Duration.ofSeconds(6));
        publish(channel, draft(2), tenSeconds);
        clock.advance(Duration.ofSeconds(3));

        assertThat(offsets(read(channel, null, 100, tenSeconds).publications())).containsExactly(1L, 2L);

        clock.advance(Duration.ofSeconds(2));

        HistoryResult result = read(channel, null, 100, tenSeconds);
        assertThat(offsets(result.publications())).containsExactly(2L);
        assertThat(result.position().offset()).isEqualTo(2);

        clock.advance(Duration.ofSeconds(10));

        assertThat(read(channel, null, 100, tenSeconds).publications()).isEmpty();
        assertThat(position(channel).offset()).isEqualTo(2);
    }

    @Test
    void publicationIsHeldWhileYoungerThanHistoryTtlAndGoneWhenExactlyThatOld() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("ttlboundary");
        NamespaceConfig tenSeconds = options(100, Duration.ofSeconds(10));
        publish(channel, draft(1), tenSeconds);

        clock.advance(Duration.ofMillis(9_999));
        assertThat(offsets(read(channel, null, 100, tenSeconds).publications())).containsExactly(1L);

        clock.advance(Duration.ofMillis(1));
        assertThat(read(channel, null, 100, tenSeconds).publications()).isEmpty();
    }

    @Test
    void historySizeZeroStillAssignsOffsetsButHoldsNothing() {
        ChannelName channel = uniqueChannel("nohistory");
        NamespaceConfig none = options(0, Duration.ofMinutes(5));

        List<Publication> published = publishMany(channel, 3, none);

        assertThat(offsets(published)).containsExactly(1L, 2L, 3L);
        HistoryResult latest = read(channel, null, 100, none);
        assertThat(latest.publications()).isEmpty();
        assertThat(latest.recovered()).isTrue();
        assertThat(latest.position()).isEqualTo(published.getLast().position());
        HistoryResult since = read(channel, new StreamPosition(1, published.getFirst().epoch()), 100, none);
        assertThat(since.recovered()).isFalse();
        assertThat(since.publications()).isEmpty();
    }

    // ---- reads without since ----

    @Test
    void readWithoutSinceReturnsTheLatestLimitInAscendingOrderAndRecovered() {
        ChannelName channel = uniqueChannel("latest");
        List<Publication> published = publishMany(channel, 5, OPTIONS);

        HistoryResult three = read(channel, null, 3, OPTIONS);
        HistoryResult all = read(channel, null, 100, OPTIONS);

        assertThat(offsets(three.publications())).containsExactly(3L, 4L, 5L);
        assertThat(three.recovered()).isTrue();
        assertThat(three.position()).isEqualTo(published.getLast().position());
        assertThat(offsets(all.publications())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(all.recovered()).isTrue();
    }

    @Test
    void readWithoutSinceOfANewChannelIsEmptyAtOffsetZeroWithTheChannelsEpoch() {
        ChannelName channel = uniqueChannel("emptyread");

        HistoryResult result = read(channel, null, 100, OPTIONS);

        assertThat(result.publications()).isEmpty();
        assertThat(result.recovered()).isTrue();
        assertThat(result.position().offset()).isZero();
        assertThat(position(channel)).isEqualTo(result.position());
    }

    // ---- reads with since (recovery) ----

    @Test
    void readSinceAHeldOffsetOfTheCurrentEpochRecoversThePublicationsAfterIt() {
        ChannelName channel = uniqueChannel("since");
        String epoch = publishMany(channel, 5, OPTIONS).getFirst().epoch();

        HistoryResult result = read(channel, new StreamPosition(2, epoch), 100, OPTIONS);

        assertThat(result.recovered()).isTrue();
        assertThat(offsets(result.publications())).containsExactly(3L, 4L, 5L);
        assertThat(result.position()).isEqualTo(new StreamPosition(5, epoch));
    }

    @Test
    void readSinceOffsetZeroOfTheCurrentEpochRecoversEverything() {
        ChannelName channel = uniqueChannel("sincezero");
        String epoch = publishMany(channel, 3, OPTIONS).getFirst().epoch();

        HistoryResult result = read(channel, new StreamPosition(0, epoch), 100, OPTIONS);

        assertThat(result.recovered()).isTrue();
        assertThat(offsets(result.publications())).containsExactly(1L, 2L, 3L);
    }

    @Test
    void readSinceReturnsTheFirstLimitPublicationsAfterIt() {
        ChannelName channel = uniqueChannel("sincelimit");
        String epoch = publishMany(channel, 5, OPTIONS).getFirst().epoch();

        HistoryResult result = read(channel, new StreamPosition(1, epoch), 2, OPTIONS);

        assertThat(result.recovered()).isTrue();
        assertThat(offsets(result.publications())).containsExactly(2L, 3L);
        assertThat(result.position().offset()).isEqualTo(5);
    }

    @Test
    void readSinceTheCurrentTopRecoversWithNothingToReplay() {
        ChannelName channel = uniqueChannel("sincetop");
        String epoch = publishMany(channel, 3, OPTIONS).getFirst().epoch();

        HistoryResult result = read(channel, new StreamPosition(3, epoch), 100, OPTIONS);

        assertThat(result.recovered()).isTrue();
        assertThat(result.publications()).isEmpty();
        assertThat(result.position()).isEqualTo(new StreamPosition(3, epoch));
    }

    @Test
    void readSinceOffsetZeroOfANewChannelsEpochRecoversWithNothingToReplay() {
        ChannelName channel = uniqueChannel("sincenew");
        StreamPosition start = position(channel);

        HistoryResult result = read(channel, start, 100, OPTIONS);

        assertThat(result.recovered()).isTrue();
        assertThat(result.publications()).isEmpty();
    }

    @Test
    void readSinceAnotherEpochDoesNotRecover() {
        ChannelName channel = uniqueChannel("wrongepoch");
        String epoch = publishMany(channel, 3, OPTIONS).getFirst().epoch();
        String other = epoch.equals("x") ? "y" : "x";

        HistoryResult result = read(channel, new StreamPosition(1, other), 100, OPTIONS);

        assertThat(result.recovered()).isFalse();
        assertThat(result.publications()).isEmpty();
        assertThat(result.position()).isEqualTo(new StreamPosition(3, epoch));
    }

    @Test
    void readSinceAnOffsetAheadOfTheChannelDoesNotRecover() {
        ChannelName channel = uniqueChannel("ahead");
        String epoch = publishMany(channel, 3, OPTIONS).getFirst().epoch();

        HistoryResult result = read(channel, new StreamPosition(4, epoch), 100, OPTIONS);

        assertThat(result.recovered()).isFalse();
        assertThat(result.publications()).isEmpty();
        assertThat(result.position()).isEqualTo(new StreamPosition(3, epoch));
    }

    @Test
    void readSinceAnOffsetWhoseSuccessorWasTrimmedDoesNotRecover() {
        ChannelName channel = uniqueChannel("trimmed");
        NamespaceConfig three = options(3, Duration.ofMinutes(5));
        String epoch = publishMany(channel, 5, three).getFirst().epoch();

        HistoryResult lost = read(channel, new StreamPosition(1, epoch), 100, three);
        HistoryResult justHeld = read(channel, new StreamPosition(2, epoch), 100, three);

        assertThat(lost.recovered()).isFalse();
        assertThat(lost.publications()).isEmpty();
        assertThat(justHeld.recovered()).isTrue();
        assertThat(offsets(justHeld.publications())).containsExactly(3L, 4L, 5L);
    }

    @Test
    void readSinceAnOffsetWhoseSuccessorExpiredDoesNotRecover() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("expired");
        NamespaceConfig tenSeconds = options(100, Duration.ofSeconds(10));
        String epoch = publish(channel, draft(1), tenSeconds).publication().epoch();
        publish(channel, draft(2), tenSeconds);

        clock.advance(Duration.ofSeconds(11));

        HistoryResult result = read(channel, new StreamPosition(1, epoch), 100, tenSeconds);
        assertThat(result.recovered()).isFalse();
        assertThat(result.publications()).isEmpty();
    }

    // ---- idempotency ----

    @Test
    void sameIdempotencyKeyOnTheSameChannelPublishesOnceAndReportsTheFirstAsDuplicate() {
        ChannelName channel = uniqueChannel("idem");
        join(broker.subscribe(channel));
        PublicationDraft keyed = new PublicationDraft("order", raw("{\"id\":1}"), null, "key-1");

        PublishResult first = publish(channel, keyed, OPTIONS);
        PublishResult second = publish(channel, keyed, OPTIONS);

        assertThat(first.duplicate()).isFalse();
        assertThat(second.duplicate()).isTrue();
        assertThat(second.position()).isEqualTo(first.publication().position());
        assertThat(position(channel).offset()).isEqualTo(1);
        assertThat(offsets(read(channel, null, 100, OPTIONS).publications())).containsExactly(1L);
        // The next publication is the barrier: the duplicate, had it been delivered, arrived first.
        publish(channel, draft(2), OPTIONS);
        assertThat(offsets(listener.awaitPublications(channel, 2))).containsExactly(1L, 2L);
    }

    @Test
    void sameIdempotencyKeyOnAnotherChannelPublishes() {
        ChannelName a = uniqueChannel("idem-a");
        ChannelName b = uniqueChannel("idem-b");
        PublicationDraft keyed = new PublicationDraft("order", raw("{\"id\":1}"), null, "shared-key");

        publish(a, keyed, OPTIONS);
        PublishResult onB = publish(b, keyed, OPTIONS);

        assertThat(onB.duplicate()).isFalse();
        assertThat(onB.publication().channel()).isEqualTo(b);
        assertThat(onB.publication().offset()).isEqualTo(1);
    }

    @Test
    void differentIdempotencyKeysOnTheSameChannelBothPublish() {
        ChannelName channel = uniqueChannel("idem-two");

        PublishResult first = publish(channel, new PublicationDraft("order", raw("1"), null, "k1"), OPTIONS);
        PublishResult second = publish(channel, new PublicationDraft("order", raw("2"), null, "k2"), OPTIONS);

        assertThat(first.duplicate()).isFalse();
        assertThat(second.duplicate()).isFalse();
        assertThat(second.publication().offset()).isEqualTo(2);
    }

    @Test
    void sameIdempotencyKeyAfterTheWindowPublishesAgain() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("idem-window");
        PublicationDraft keyed = new PublicationDraft("order", raw("{\"id\":1}"), null, "key-1");

        PublishResult first = publish(channel, keyed, OPTIONS);
        clock.advance(Duration.ofMillis(HistoryStore.IDEMPOTENCY_WINDOW_MILLIS - 1000));
        PublishResult within = publish(channel, keyed, OPTIONS);
        clock.advance(Duration.ofMillis(1001));
        PublishResult after = publish(channel, keyed, OPTIONS);

        assertThat(within.duplicate()).isTrue();
        assertThat(within.position().offset()).isEqualTo(first.publication().offset());
        assertThat(after.duplicate()).isFalse();
        assertThat(after.publication().offset()).isEqualTo(2);
        assertThat(after.publication().epoch()).isEqualTo(first.publication().epoch());
    }

    // ---- the publication frame ----

    @Test
    void publicationFrameIsThePushWithTypeChannelDataOffsetEpochAndTimestamp() {
        ChannelName channel = uniqueChannel("frame");
        String data = "{\"score\":[1,2],\"text\":\"héllo\",\"nested\":{\"ok\":true}}";

        Publication p = publish(channel, new PublicationDraft("score_update", raw(data), null, null), OPTIONS).publication();

        JsonNode frame = json(p.frameText());
        assertThat(frame.path("type").asText()).isEqualTo("score_update");
        assertThat(frame.path("channel").asText()).isEqualTo(channel.value());
        assertThat(frame.path("data")).isEqualTo(json(data));
        assertThat(frame.path("offset").isIntegralNumber()).isTrue();
        assertThat(frame.path("offset").asLong()).isEqualTo(1);
        assertThat(frame.path("epoch").asText()).isEqualTo(p.epoch());
        String timestamp = frame.path("timestamp").asText();
        assertThat(timestamp).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(Instant.parse(timestamp).toEpochMilli()).isEqualTo(p.timestampMillis());
        assertThat(frame.has("user")).isFalse();
        assertThat(p.event()).isEqualTo("score_update");
        assertThat(p.channel()).isEqualTo(channel);
        assertThat(p.user()).isNull();
    }

    @Test
    void dataIsKeptAsThePublishersTextInThePublicationAndInHistory() {
        ChannelName channel = uniqueChannel("raw");
        String data = "{\"big\":1e400,\"precise\":12345678901234567.89,\"neg\":-0.0,\"uni\":\"\\u00e9\"}";

        Publication p = publish(channel, new PublicationDraft("raw", raw(data), null, null), OPTIONS).publication();
        HistoryResult read = join(history.read(channel, null, 10, OPTIONS));

        assertThat(p.frameText()).contains("\"data\":" + data + ",");
        assertThat(read.publications()).singleElement()
                .satisfies(h -> assertThat(h.frameText()).isEqualTo(p.frameText()));
    }

    @Test
    void publicationTimestampIsTheStoresTimeOfAcceptance() {
        ManualClock clock = clock();
        ChannelName channel = uniqueChannel("stamp");
        clock.advance(Duration.ofMillis(123));

        Publication p = publish(channel, draft(1), OPTIONS).publication();

        assertThat(p.timestampMillis()).isEqualTo(clock.getAsLong());
        assertThat(json(p.frameText()).path("timestamp").asText())
                .isEqualTo(Frames.timestamp(clock.getAsLong()))
                .isEqualTo("2026-01-01T12:00:00.123Z");
    }

    @Test
    void clientPublicationFrameCarriesTheUser() {
        ChannelName channel = uniqueChannel("user");

        Publication p = publish(channel, new PublicationDraft("client-typing", raw("{}"), "42", null), OPTIONS)
                .publication();

        assertThat(p.user()).isEqualTo("42");
        assertThat(json(p.frameText()).path("user").asText()).isEqualTo("42");
    }

    @Test
    void historyAndBrokerCarryTheSameFrameAsThePublishResult() {
        ChannelName channel = uniqueChannel("sameframe");
        join(broker.subscribe(channel));

        Publication published = publish(channel, new PublicationDraft("client-x", raw("{\"a\":1}"), "7", null),
                OPTIONS).publication();

        Publication held = read(channel, null, 1, OPTIONS).publications().getFirst();
        Publication delivered = listener.awaitPublications(channel, 1).getFirst();
        for (Publication p : List.of(held, delivered)) {
            assertThat(p.frameText()).isEqualTo(published.frameText());
            assertThat(p.position()).isEqualTo(published.position());
            assertThat(p.timestampMillis()).isEqualTo(published.timestampMillis());
            assertThat(p.user()).isEqualTo("7");
            assertThat(p.event()).isEqualTo("client-x");
        }
    }

    @Test
    void theExcludedConnectionTravelsWithThePublicationToHistoryAndTheBrokerButNotIntoTheFrame() {
        ChannelName channel = uniqueChannel("exclude");
        join(broker.subscribe(channel));

        Publication published = publish(channel, new PublicationDraft("ev", raw("{}"), null, null, "123.456"),
                OPTIONS).publication();

        Publication held = read(channel, null, 1, OPTIONS).publications().getFirst();
        Publication delivered = listener.awaitPublications(channel, 1).getFirst();
        for (Publication p : List.of(published, held, delivered)) {
            assertThat(p.excludeClient()).isEqualTo("123.456");
            assertThat(p.frameText()).doesNotContain("123.456");
        }
        Publication plain = publish(channel, new PublicationDraft("ev", raw("{}"), null, null), OPTIONS).publication();
        assertThat(plain.excludeClient()).isNull();
    }
}
