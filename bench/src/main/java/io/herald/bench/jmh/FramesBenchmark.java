package io.herald.bench.jmh;

import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import io.herald.protocol.RawJson;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding a publication push frame, which the server does once per accepted publish (the same bytes
 * then go to every subscriber): {@link Frames#publication} with a {@code data} of {@code dataBytes}
 * bytes of JSON, which it copies into the frame as the publisher's text.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FramesBenchmark {
    @Param({"100", "1024"})
    public int dataBytes;

    private final ChannelName channel = ChannelName.of("bench:fan");
    private RawJson data;
    private long offset;

    @Setup
    public void setUp() {
        data = Payloads.raw(dataBytes);
    }

    @Benchmark
    public Publication encodePublication() {
        long o = ++offset;
        return Frames.publication(channel, "tick", data, o, "ep_bench", 1_767_225_600_000L + o, null);
    }
}
