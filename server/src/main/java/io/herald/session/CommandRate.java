package io.herald.session;

import io.herald.limits.TokenBucket;

/**
 * The command rate of one connection: a token bucket of {@code command_rate} per second and
 * {@code command_burst} at once, and the flood rule (a connection refused {@code command_burst}
 * times within 10 s is flooding). An idle connection keeps no bucket. Owned by the connection's
 * thread.
 */
public final class CommandRate {
    /** What to do with one frame. */
    public enum Verdict { TAKE, REFUSE, FLOOD }

    private static final long FLOOD_WINDOW_NANOS = 10_000_000_000L;
    private final int rate;
    private final int burst;
    /** Null while full: an idle connection keeps no limiter state (a new bucket starts full). */
    private TokenBucket bucket;
    /** Refusals since {@link #windowStart}. */
    private int refusals;
    private long windowStart;

    public CommandRate(int rate, int burst) {
        this.rate = rate;
        this.burst = burst;
    }

    public Verdict take(long nowNanos) {
        if (bucket == null) {
            bucket = new TokenBucket(rate, burst, nowNanos);
        }
        if (bucket.tryTake(nowNanos)) {
            return Verdict.TAKE;
        }
        if (nowNanos - windowStart > FLOOD_WINDOW_NANOS) {
            windowStart = nowNanos;
            refusals = 0;
        }
        return ++refusals >= burst ? Verdict.FLOOD : Verdict.REFUSE;
    }

    /**
     * Drops a bucket that has filled up again, and says whether one is left (the connection is then
     * ticked again within a second, so the bucket goes once full). Reads the clock only when there is
     * a bucket: most connections have none.
     */
    public boolean onTick() {
        if (bucket != null && bucket.isFull(System.nanoTime())) {
            bucket = null;
        }
        return bucket != null;
    }
}
