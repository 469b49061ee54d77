package io.herald.outbox;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Full-jitter exponential backoff: the n-th wait in a row is uniform in [0, min(max, base * 2^n)],
 * at least {@code floor}. Not thread-safe: one per loop.
 */
final class Backoff {
    private final long baseMillis;
    private final long maxMillis;
    private final long floorMillis;
    private int attempts;

    Backoff(long baseMillis, long maxMillis, long floorMillis) {
        this.baseMillis = baseMillis;
        this.maxMillis = maxMillis;
        this.floorMillis = floorMillis;
    }

    /** The next wait in milliseconds. */
    long next() {
        long ceiling = Math.min(maxMillis, baseMillis << Math.min(attempts, 20));
        attempts++;
        return Math.max(floorMillis, ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    /** Whether a wait was taken since the last {@link #reset}. */
    boolean waiting() {
        return attempts > 0;
    }

    void reset() {
        attempts = 0;
    }
}
