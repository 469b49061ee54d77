package io.herald.hub;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits publishes until the node starts draining, and lets the drain wait for those in flight, so
 * every publish that was accepted reaches the subscribers before they are told to reconnect.
 * Thread-safe.
 */
public final class PublishGate {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    /** Admits one publish; false once the gate is closed. A true return must be paired with {@link #exit}. */
    public boolean tryEnter() {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** True once the node started draining. */
    public boolean isClosed() {
        return closed;
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    /** Refuses publishes from now on and waits up to {@code timeoutMillis} for those admitted to finish. */
    public boolean closeAndAwait(long timeoutMillis) throws InterruptedException {
        closed = true;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
