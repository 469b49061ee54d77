package io.herald.bench.load;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * Counters and histograms shared by every connection of one generator process. Written from the
 * event loops, read by the reporting thread; Recorder and LongAdder make that safe without locks.
 */
public final class Stats {
    /**
     * How connections judge deliveries: {@code seq} from 1, {@code seq} from the first one seen (late
     * joiners), not at all, or per channel by the payload's {@code "ch"} and {@code "cseq"} (from the
     * first one seen on each channel; Herald's offsets from the subscribe reply's offset).
     */
    public enum SeqCheck { STRICT, FROM_FIRST, OFF, PER_CHANNEL }

    public volatile SeqCheck seqCheck = SeqCheck.STRICT;
    /** Publication latency: receive nanoTime minus the intended send time carried in {@code t}. */
    public final Recorder latency = new Recorder(3);
    /** Time from starting the TCP connect until the subscription is confirmed. */
    public final Recorder handshake = new Recorder(3);
    public final LongAdder received = new LongAdder();
    public final LongAdder gaps = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    /** Error replies from the server (Herald error frames, socket.io 44, NATS -ERR). */
    public final LongAdder errors = new LongAdder();
    /** PER_CHANNEL: deliveries for a channel the connection did not subscribe to (not counted as received). */
    public final LongAdder misrouted = new LongAdder();
    /** Connections that became ready, and ready connections that closed without being asked to. */
    public final LongAdder ready = new LongAdder();
    public final LongAdder failed = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    /** Subscribe confirmations (initial and churn re-subscriptions). */
    public final LongAdder subscribes = new LongAdder();

    /** Zeroes the delivery counters and the latency histogram, for a new measured interval. */
    public void resetDeliveries() {
        received.reset();
        gaps.reset();
        duplicates.reset();
        misrouted.reset();
        errors.reset();
        subscribes.reset();
        latency.reset();
    }
}
