package io.herald.bench.jmh;

import io.herald.engine.memory.MemoryBroker;
import io.herald.hub.ChannelMember;
import io.herald.hub.Hub;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hub's fan-out path: one {@link Hub} whose only channel has {@value #SUBSCRIBERS} local
 * subscribers, and {@link Hub#onPublication} (what the broker calls for each publication) handing
 * one encoded publication to each. The score is per delivery ({@link OperationsPerInvocation}).
 *
 * <p>Subscribers here only count deliveries, so this measures the hub's own cost (the channel lookup
 * and walking the member array), not the session's hop onto its event loop or the socket write.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
    static final int SUBSCRIBERS = 1_000;
    private static final Executor INLINE = Runnable::run;

    /** Counts what the hub hands it; stands in for a connection's subscription. */
    static final class CountingMember extends ChannelMember {
        private final String id;
        long deliveries;
        long bytes;

        CountingMember(int n) {
            this.id = "c_bench_" + n;
        }

        /** Runs the hub's per-thread delivery task inline, so one invocation measures the whole fan-out. */
        @Override
        public Executor executor() {
            return INLINE;
        }

        @Override
        public boolean onPublication(Publication publication) {
            deliveries++;
            bytes += publication.frame().length;
            return true;
        }

        @Override
        public void onPresenceChange(byte[] frame) {
        }

        @Override
        public void onDeliveryInterrupted() {
        }
    }

    @Param({"100"})
    public int dataBytes;

    private Hub hub;
    private CountingMember[] subscribers;
    private Publication publication;
    private long published;

    @Setup(Level.Trial)
    public void setUp() {
        ChannelName channel = ChannelName.of("bench:fan");
        hub = new Hub(new MemoryBroker(), new HeraldMetrics(), 0);
        subscribers = new CountingMember[SUBSCRIBERS];
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers[i] = new CountingMember(i);
            hub.addSubscriber(channel, subscribers[i]).join();
        }
        publication = Frames.publication(channel, "tick", Payloads.raw(dataBytes), 1, "ep_bench",
                1_767_225_600_000L, null);
    }

    @Benchmark
    @OperationsPerInvocation(SUBSCRIBERS)
    public void onPublication() {
        hub.onPublication(publication);
        published++;
    }

    @TearDown(Level.Trial)
    public void check() {
        for (CountingMember s : subscribers) {
            if (s.deliveries != published) {
                throw new IllegalStateException(s.id + " got " + s.deliveries + " of " + published);
            }
        }
    }
}
