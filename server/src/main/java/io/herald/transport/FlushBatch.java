package io.herald.transport;

import io.herald.metrics.HeraldMetrics;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * One per event loop: the connections that wrote during the current iteration of the loop, flushed
 * together by one task when the iteration's tasks have run, and the bytes they queued, counted once per pass. A
 * fan-out to a thousand connections on a loop thus costs one task and one metrics update, not a
 * thousand of each. Owned by its loop's thread (a loop serves one node, so one metrics registry).
 */
final class FlushBatch implements Runnable {
    /** A connection that can be flushed by the batch. */
    interface Member {
        /** Flushes what the connection wrote and notes that it is no longer in a batch. */
        void flushNow();
    }

    private static final FastThreadLocal<FlushBatch> BATCH = new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
            return new FlushBatch();
        }
    };

    private final ArrayList<Member> pending = new ArrayList<>();
    private boolean scheduled;
    private long bytes;
    private HeraldMetrics metrics;

    private FlushBatch() {
    }

    /** This loop's batch; call on an event loop. */
    static FlushBatch current() {
        return BATCH.get();
    }

    /** Counts bytes queued for a client, reported with the next flush. */
    void countBytes(HeraldMetrics metrics, long n) {
        this.metrics = metrics;
        bytes += n;
    }

    /** Flushes {@code m} when this pass ends; the caller adds it once per pass (it tracks that itself). */
    void add(Member m, EventLoop loop) {
        pending.add(m);
        if (!scheduled) {
            scheduled = true;
            // after every task of this loop iteration: publications handed over in one iteration leave
            // in one write per connection
            if (loop instanceof SingleThreadEventLoop st) {
                st.executeAfterEventLoopIteration(this);
            } else {
                loop.execute(this);
            }
        }
    }

    @Override
    public void run() {
        // counted before the bytes leave, so a client that saw them finds them in the metrics
        if (bytes > 0) {
            metrics.bytesOut(bytes);
            bytes = 0;
        }
        // a flush may lead to more writes (a close, say): those join this run, so iterate by index
        for (int i = 0; i < pending.size(); i++) {
            Member m = pending.get(i);
            pending.set(i, null);
            m.flushNow();
        }
        pending.clear();
        scheduled = false;
    }
}
