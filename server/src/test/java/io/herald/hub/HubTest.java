package io.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.herald.engine.ChannelLimitException;
import io.herald.engine.memory.MemoryBroker;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.RawJson;
import io.herald.protocol.Publication;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hub's channel map: entries only while a channel has members, the channel limit, and leave/join races. */
class HubTest {
    private final MemoryBroker broker = new MemoryBroker();
    private final HeraldMetrics metrics = new HeraldMetrics();

    /** A member that runs its callbacks on the calling thread and counts publications. */
    private static final class Member extends ChannelMember {
        private final Executor executor = Runnable::run;
        final AtomicInteger received = new AtomicInteger();

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public boolean onPublication(Publication publication) {
            received.incrementAndGet();
            return true;
        }

        @Override
        public void onPresenceChange(byte[] frame) {
        }

        @Override
        public void onDeliveryInterrupted() {
        }
    }

    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    private static Publication publication(ChannelName channel) {
        return Frames.publication(channel, "e", RawJson.ofValidated(EMPTY_OBJECT, 0, EMPTY_OBJECT.length), 1, "e1", 0, null);
    }

    @Test
    void aChannelLeavesTheMapWithItsLastMember() {
        Hub hub = new Hub(broker, metrics, 0);
        ChannelName channel = ChannelName.of("room:1");
        Member a = new Member();
        Member b = new Member();
        hub.addSubscriber(channel, a).join();
        hub.addSubscriber(channel, b).join();

        hub.removeSubscriber(channel, a);
        assertThat(hub.channelCount()).isEqualTo(1);
        hub.removeSubscriber(channel, b);

        assertThat(hub.channelCount()).isZero();
        assertThat(hub.subscriptionCount()).isZero();
    }

    @Test
    void aNewChannelPastTheLimitIsRefusedWhileChannelsWithMembersTakeMore() {
        Hub hub = new Hub(broker, metrics, 1);
        ChannelName first = ChannelName.of("room:1");
        hub.addSubscriber(first, new Member()).join();

        Throwable refused = catchThrowable(() -> hub.addSubscriber(ChannelName.of("room:2"), new Member()).join());

        assertThat(refused).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ChannelLimitException.class);
        assertThat(hub.channelCount()).isEqualTo(1);
        hub.addSubscriber(first, new Member()).join();
        assertThat(hub.subscriptionCount()).isEqualTo(2);
        assertThat(metrics.scrape()).contains("herald_rate_limited_total{limit=\"max_channels\"} 1.0");
    }

    @Test
    void aMemberJoiningWhileTheLastOneLeavesStillReceivesTheChannel() throws Exception {
        Hub hub = new Hub(broker, metrics, 0);
        CyclicBarrier start = new CyclicBarrier(2);
        int rounds = 20_000;
        Member[] leaving = new Member[rounds];
        Member[] joining = new Member[rounds];
        Thread leaver = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                await(start);
                hub.removeSubscriber(ChannelName.of("race:" + i), leaving[i]);
                await(start);
            }
        });
        int missed = 0;
        for (int i = 0; i < rounds; i++) {
            ChannelName channel = ChannelName.of("race:" + i);
            leaving[i] = new Member();
            joining[i] = new Member();
            hub.addSubscriber(channel, leaving[i]).join();
            await(start);
            hub.addSubscriber(channel, joining[i]).join();
            await(start);
            broker.publish(publication(channel));
            if (joining[i].received.get() != 1) {
                missed++;
            }
        }
        leaver.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(missed).as("rounds in which the member that joined received nothing").isZero();
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
