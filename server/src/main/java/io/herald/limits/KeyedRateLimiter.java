package io.herald.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per key (an IP address, an API key), created on first use; buckets that have
 * refilled completely are dropped on the next {@link #prune}, so memory follows active keys only.
 * A rate of 0 means unlimited. Thread-safe.
 *
 * @param <K> the key type
 */
public final class KeyedRateLimiter<K> {
    private final double ratePerSecond;
    private final double burst;
    private final ConcurrentHashMap<K, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastPruneNanos = System.nanoTime();

    /** {@code ratePerSecond} per key, with a burst of twice that. */
    public KeyedRateLimiter(int ratePerSecond) {
        this(ratePerSecond, 2.0 * ratePerSecond);
    }

    /** {@code ratePerSecond} per key (fractions allowed: 0.1 is one per 10 s), with a burst of {@code burst}. */
    public KeyedRateLimiter(double ratePerSecond, double burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Returns 0 when {@code key} may proceed, else the seconds to wait (for Retry-After). */
    public long acquire(K key) {
        if (ratePerSecond <= 0) {
            return 0;
        }
        long now = System.nanoTime();
        if (now - lastPruneNanos > 10_000_000_000L) {
            prune(now);
        }
        TokenBucket b = buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, now));
        synchronized (b) {
            return b.tryTake(now) ? 0 : b.secondsUntilNext(now);
        }
    }

    private void prune(long now) {
        lastPruneNanos = now;
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return e.getValue().isFull(now);
            }
        });
    }

    /** Keys currently tracked; for tests. */
    public int size() {
        return buckets.size();
    }
}
