package io.herald.bench.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * One publishing connection sending at a fixed rate against intended send times: publication i is
 * due at start + i/rate and carries that time in {@code t}, whether or not it could be sent then,
 * so a stalled server shows up as latency instead of silently lowering the rate (no coordinated
 * omission). {@code seq} continues across runs, as subscribers expect.
 */
public final class Publisher implements AutoCloseable {
    /** What one run sent; {@code backlogged} when the socket stopped taking writes (server not reading). */
    public record Run(long sent, long maxLagNanos, boolean backlogged, long errors) {
    }

    /** Where one publication goes, and its number in that channel (from 1; 0: carry no per-channel number). */
    public record Target(String channel, long channelSeq) {
    }

    private final Protocol protocol;
    private final Stats stats;
    private final Conn conn;
    private long seq;

    private Publisher(Protocol protocol, Stats stats, Conn conn) {
        this.protocol = protocol;
        this.stats = stats;
        this.conn = conn;
    }

    /** Connects and waits until the connection is ready to publish. */
    public static Publisher connect(Engine engine, String system, String host, int port, String token)
            throws Exception {
        Protocol p = Protocol.publisherOf(system);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Stats stats = new Stats();
        Conn c = engine.connect(host, port, p.path(token), p, stats, new String[0], new Conn.Listener() {
            @Override
            public void ready(Conn c) {
                ready.complete(null);
            }

            @Override
            public void failed(Conn c, String reason) {
                ready.completeExceptionally(new IllegalStateException("publisher: " + reason));
            }
        });
        ready.get(30, TimeUnit.SECONDS);
        return new Publisher(p, stats, c);
    }

    /** Publishes {@code rate}/s for {@code seconds} to {@code channelFor(seq)}, payload padded with {@code pad}. */
    public Run run(double rate, double seconds, LongFunction<String> channelFor, byte[] pad) {
        return runOnChannels(rate, seconds, seq -> new Target(channelFor.apply(seq), 0), pad);
    }

    /**
     * Publishes {@code rate}/s for {@code seconds} to {@code targetFor(seq)}, whose per-channel number
     * goes into the payload ({@code "ch"}, {@code "cseq"}) when it is positive.
     */
    public Run runOnChannels(double rate, double seconds, LongFunction<Target> targetFor, byte[] pad) {
        Channel ch = conn.channel();
        ByteBufAllocator alloc = ch.alloc();
        long total = Math.max(1, Math.round(rate * seconds));
        double interval = 1e9 / rate;
        long start = System.nanoTime() + 1_000_000;
        long maxLag = 0;
        long errorsBefore = stats.errors.sum();
        TextWebSocketFrame[] batch = new TextWebSocketFrame[256];
        for (long i = 0; i < total; ) {
            long due = start + (long) (i * interval);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            // everything already due goes in one event-loop task: one flush, not one per message
            long now = System.nanoTime();
            int n = 0;
            while (i < total && n < batch.length && (due = start + (long) (i * interval)) <= now) {
                seq++;
                Target target = targetFor.apply(seq);
                batch[n++] = new TextWebSocketFrame(protocol.publish(alloc, target.channel(), due, seq, target.channelSeq(), pad));
                maxLag = Math.max(maxLag, now - due);
                i++;
            }
            TextWebSocketFrame[] frames = Arrays.copyOf(batch, n);
            ch.eventLoop().execute(() -> {
                for (TextWebSocketFrame f : frames) {
                    ch.write(f, ch.voidPromise());
                }
                ch.flush();
            });
            if (!ch.isActive() || !ch.isWritable() && stalledFor(ch, 2_000)) {
                return new Run(i, maxLag, true, stats.errors.sum() - errorsBefore);
            }
        }
        return new Run(total, maxLag, false, stats.errors.sum() - errorsBefore);
    }

    /** True when the channel stays unwritable for {@code millis}: the server stopped reading. */
    private static boolean stalledFor(Channel ch, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            if (ch.isWritable()) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** Publications sent so far (the last seq). */
    public long seq() {
        return seq;
    }

    @Override
    public void close() {
        conn.close();
    }
}
