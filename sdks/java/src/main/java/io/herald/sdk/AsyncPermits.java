package io.herald.sdk;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A bounded number of requests in flight, and a bounded number of calls waiting for one. A waiter
 * is handed its permit by the call that releases it; past {@code maxWaiting} a call fails at once
 * with {@link HeraldErrorCode#QUEUE_FULL}. Thread-safe (guarded by {@code this}).
 */
final class AsyncPermits {
    private final int maxInFlight;
    private final int maxWaiting;
    /** Guarded by this. */
    private int inFlight;
    /** Guarded by this. */
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();

    AsyncPermits(int maxInFlight, int maxWaiting) {
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
    }

    /** Completes when the caller holds a permit; it must call {@link #release()} exactly once then. */
    CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (inFlight < maxInFlight) {
                inFlight++;
                return CompletableFuture.completedFuture(null);
            }
            if (waiting.size() >= maxWaiting) {
                return CompletableFuture.failedFuture(new HeraldApiException(HeraldErrorCode.QUEUE_FULL,
                        maxInFlight + " requests in flight and " + maxWaiting + " waiting: refused", 0, null, false, null, null));
            }
            CompletableFuture<Void> permit = new CompletableFuture<>();
            waiting.add(permit);
            return permit;
        }
    }

    void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inFlight--;
                return;
            }
        }
        // the permit passes on: inFlight stays the same; completed outside the lock (its callbacks run here)
        next.completeAsync(() -> null);
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
