package io.herald.bench.jmh;

import io.herald.protocol.Command;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing client frames: a {@code subscribe} and a {@code publish} carrying a 100-byte payload. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CommandParserBenchmark {
    private byte[] subscribe;
    private byte[] publish;

    @Setup
    public void setUp() {
        subscribe = "{\"type\":\"subscribe\",\"id\":7,\"channel\":\"bench:fan\"}".getBytes(StandardCharsets.UTF_8);
        publish = ("{\"type\":\"publish\",\"id\":8,\"channel\":\"bench:fan\",\"event\":\"tick\",\"data\":"
                + Payloads.json(Payloads.data(100)) + "}").getBytes(StandardCharsets.UTF_8);
        try {
            if (!(CommandParser.parse(subscribe, 0, subscribe.length) instanceof Command.Subscribe)
                    || !(CommandParser.parse(publish, 0, publish.length) instanceof Command.Publish)) {
                throw new IllegalStateException("benchmark frames do not parse to the expected commands");
            }
        } catch (ProtocolException e) {
            throw new IllegalStateException(e);
        }
    }

    @Benchmark
    public Command parseSubscribe() throws ProtocolException {
        return CommandParser.parse(subscribe, 0, subscribe.length);
    }

    @Benchmark
    public Command parsePublish() throws ProtocolException {
        return CommandParser.parse(publish, 0, publish.length);
    }
}
