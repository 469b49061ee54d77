package io.herald.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.RecordingListener.PresenceChange;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Broker} contract, run against every implementation by a subclass that supplies
 * {@link #create()} and, where the broker spans nodes, {@link #secondNode()}.
 *
 * <p>A broker promises nothing about order across channels or nodes, so "nothing was delivered" is
 * checked with a barrier: a later message from the same node on a subscribed channel. Once the
 * barrier has arrived, an earlier message would have too (true for the memory broker, which delivers
 * synchronously, and for a pub/sub backend that keeps one publisher's order).
 */
public abstract class BrokerContract {
    /** A fresh broker, not yet started; called before each test and closed after it. */
    protected abstract Broker create();

    /**
     * Another node's broker on the same backend as the last {@link #create()}, not yet started; it is
     * closed after the test. Empty (the default) for single-node brokers: two-node tests are skipped.
     */
    protected Optional<Broker> secondNode() {
        return Optional.empty();
    }

    protected Broker broker;
    protected final RecordingListener listener = new RecordingListener();
    private final List<Broker> others = new ArrayList<>();

    @BeforeEach
    void startBroker() {
        broker = create();
        broker.start(listener);
    }

    @AfterEach
    void closeBrokers() {
        others.forEach(Broker::close);
        if (broker != null) {
            broker.close();
        }
    }

    // ---- helpers ----

    protected static ChannelName uniqueChannel(String name) {
        return ChannelName.of("contract:" + name + "-" + UUID.randomUUID().toString().replace("-", ""));
    }

    protected static <T> T join(CompletableFuture<T> future) {
        return future.orTimeout(RecordingListener.DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
    }

    protected static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("bad JSON in test: " + text, e);
        }
    }

    /** A publication as a history store would build it; the broker does not care about epochs. */
    protected static Publication publication(ChannelName channel, long offset) {
        return Frames.publication(channel, "update", HistoryStoreContract.raw("{\"n\":" + offset + "}"), offset, "Ep0ch", 1_767_268_800_000L,
                offset % 2 == 0 ? "42" : null);
    }

    /** The second node, started with its own listener, or the test is skipped. */
    protected RecordingListener startSecondNode(Broker[] out) {
        Optional<Broker> second = secondNode();
        assumeThat(second).as("broker spans nodes").isPresent();
        Broker node = second.orElseThrow();
        others.add(node);
        RecordingListener secondListener = new RecordingListener();
        node.start(secondListener);
        out[0] = node;
        return secondListener;
    }

    private static void assertSamePublication(Publication actual, Publication expected) {
        assertThat(actual.channel()).isEqualTo(expected.channel());
        assertThat(actual.event()).isEqualTo(expected.event());
        assertThat(actual.position()).isEqualTo(expected.position());
        assertThat(actual.timestampMillis()).isEqualTo(expected.timestampMillis());
        assertThat(actual.user()).isEqualTo(expected.user());
        assertThat(actual.frameText()).isEqualTo(expected.frameText());
    }

    // ---- publications ----

    @Test
    void subscribedNodeReceivesPublicationsOfTheChannelInTheOrderPublished() {
        ChannelName channel = uniqueChannel("pub");
        join(broker.subscribe(channel));
        List<Publication> sent = List.of(publication(channel, 1), publication(channel, 2), publication(channel, 3));

        sent.forEach(p -> join(broker.publish(p)));

        List<Publication> received = listener.awaitPublications(channel, 3);
        assertThat(received).hasSize(3);
        for (int i = 0; i < sent.size(); i++) {
            assertSamePublication(received.get(i), sent.get(i));
        }
    }

    @Test
    void afterUnsubscribeNothingOfTheChannelIsDelivered() {
        ChannelName channel = uniqueChannel("unsub");
        ChannelName barrier = uniqueChannel("barrier");
        join(broker.subscribe(channel));
        join(broker.subscribe(barrier));
        join(broker.publish(publication(channel, 1)));
        listener.awaitPublications(channel, 1);

        join(broker.unsubscribe(channel));
        join(broker.publish(publication(channel, 2)));
        join(broker.publishPresenceChange(channel, new ClientInfo("c1", "u1", null), true));
        join(broker.publish(publication(barrier, 1)));

        listener.awaitPublications(barrier, 1);
        assertThat(listener.publications(channel)).extracting(Publication::offset).containsExactly(1L);
        assertThat(listener.presenceChanges(channel)).isEmpty();
    }

    @Test
    void channelsAreIsolated() {
        ChannelName subscribed = uniqueChannel("mine");
        ChannelName other = uniqueChannel("other");
        join(broker.subscribe(subscribed));

        join(broker.publish(publication(other, 1)));
        join(broker.publishPresenceChange(other, new ClientInfo("c1", "u1", null), true));
        join(broker.publish(publication(subscribed, 1)));

        assertSamePublication(listener.awaitPublications(subscribed, 1).getFirst(), publication(subscribed, 1));
        assertThat(listener.publications(other)).isEmpty();
        assertThat(listener.presenceChanges(other)).isEmpty();
    }

    @Test
    void resubscribingAfterUnsubscribeDeliversAgain() {
        ChannelName channel = uniqueChannel("resub");
        join(broker.subscribe(channel));
        join(broker.unsubscribe(channel));

        join(broker.subscribe(channel));
        join(broker.publish(publication(channel, 1)));

        assertThat(listener.awaitPublications(channel, 1)).extracting(Publication::offset).containsExactly(1L);
    }

    // ---- presence changes ----

    @Test
    void subscribedNodeReceivesJoinsAndLeavesWithTheClientInfo() {
        ChannelName channel = uniqueChannel("presence");
        join(broker.subscribe(channel));
        ClientInfo ada = new ClientInfo("client-1", "ada", json("{\"name\":\"Ada\",\"level\":3}"));
        ClientInfo anonymous = new ClientInfo("client-2", "", null);

        join(broker.publishPresenceChange(channel, ada, true));
        join(broker.publishPresenceChange(channel, anonymous, true));
        join(broker.publishPresenceChange(channel, ada, false));

        assertThat(listener.awaitPresenceChanges(channel, 3)).containsExactly(
                new PresenceChange(channel, ada, true),
                new PresenceChange(channel, anonymous, true),
                new PresenceChange(channel, ada, false));
    }

    // ---- control commands ----

    @Test
    void controlCommandIsNotDeliveredToThePublishingNode() {
        ChannelName barrier = uniqueChannel("barrier");
        join(broker.subscribe(barrier));

        join(broker.publishControl(new ControlCommand.Disconnect("42", null, false, "bye")));
        join(broker.publish(publication(barrier, 1)));

        listener.awaitPublications(barrier, 1);
        assertThat(listener.controls()).isEmpty();
    }

    /** A disconnect's reconnect flag and reason travel with it, so every node closes its clients the same way. */
    @Test
    void controlCommandsReachTheOtherNode() {
        Broker[] second = new Broker[1];
        RecordingListener secondListener = startSecondNode(second);
        ChannelName channel = uniqueChannel("control");
        List<ControlCommand> commands = List.of(
                new ControlCommand.Subscribe("42", null, channel),
                new ControlCommand.Unsubscribe(null, "client-9", channel),
                new ControlCommand.Disconnect("42", null, false, ControlCommand.Disconnect.DEFAULT_REASON),
                new ControlCommand.Disconnect(null, "client-9", true, "moved to another region"));

        commands.forEach(c -> join(broker.publishControl(c)));

        RecordingListener.await(() -> secondListener.controls().size() >= commands.size(),
                () -> "second node got " + secondListener.controls());
        assertThat(secondListener.controls()).containsExactlyElementsOf(commands);
    }

    @Test
    void publicationsAndPresenceChangesReachEverySubscribedNodeThePublisherIncluded() {
        Broker[] second = new Broker[1];
        RecordingListener secondListener = startSecondNode(second);
        ChannelName channel = uniqueChannel("fanout");
        join(broker.subscribe(channel));
        join(second[0].subscribe(channel));
        ClientInfo client = new ClientInfo("client-1", "u1", null);

        join(broker.publish(publication(channel, 1)));
        join(broker.publishPresenceChange(channel, client, true));

        for (RecordingListener l : List.of(listener, secondListener)) {
            assertSamePublication(l.awaitPublications(channel, 1).getFirst(), publication(channel, 1));
            assertThat(l.awaitPresenceChanges(channel, 1)).containsExactly(new PresenceChange(channel, client, true));
        }
    }

    @Test
    void aNodeReceivesOnlyTheChannelsItSubscribedToEvenWhenAnotherNodePublishes() {
        Broker[] second = new Broker[1];
        RecordingListener secondListener = startSecondNode(second);
        ChannelName onlyFirst = uniqueChannel("first");
        ChannelName both = uniqueChannel("both");
        join(broker.subscribe(onlyFirst));
        join(broker.subscribe(both));
        join(second[0].subscribe(both));

        join(second[0].publish(publication(onlyFirst, 1)));
        join(second[0].publish(publication(both, 1)));

        listener.awaitPublications(onlyFirst, 1);
        listener.awaitPublications(both, 1);
        secondListener.awaitPublications(both, 1);
        assertThat(secondListener.publications(onlyFirst)).isEmpty();
    }
}
