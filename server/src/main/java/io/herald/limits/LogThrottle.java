package io.herald.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets one log line through per interval and counts the ones held back, so a flood of the same
 * event (a limit breached, a refused origin) cannot fill the disk while the first one is still
 * logged at once. Thread-safe.
 */
public final class LogThrottle {
    /** What {@link #pass()} returns for an event to leave out of the log. */
    public static final long SUPPRESSED = -1;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong suppressed = new AtomicLong();
    private volatile long lastPassNanos;
    private volatile boolean passedOnce;

    public LogThrottle(long intervalMillis) {
        this(intervalMillis, System::nanoTime);
    }

    LogThrottle(long intervalMillis, LongSupplier nanoClock) {
        this.intervalNanos = intervalMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    /**
     * One event: {@link #SUPPRESSED} when a line was let through within the interval (the event
     * is counted), else the number of events held back since the last line, to mention in this one.
     */
    public long pass() {
        long now = nanoClock.getAsLong();
        long last = lastPassNanos;
        if (passedOnce && now - last < intervalNanos) {
            suppressed.incrementAndGet();
            return SUPPRESSED;
        }
        synchronized (this) {
            if (passedOnce && lastPassNanos != last) {
                suppressed.incrementAndGet();
                return SUPPRESSED;
            }
            lastPassNanos = now;
            passedOnce = true;
        }
        return suppressed.getAndSet(0);
    }
}
