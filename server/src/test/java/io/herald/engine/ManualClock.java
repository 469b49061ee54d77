package io.herald.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock in epoch milliseconds that moves only when a test advances it. Thread-safe. */
public final class ManualClock implements LongSupplier {
    /** 2026-01-01T12:00:00Z, a fixed start so timestamps in frames are predictable. */
    public static final Instant START = Instant.parse("2026-01-01T12:00:00Z");

    private final AtomicLong now = new AtomicLong(START.toEpochMilli());

    @Override
    public long getAsLong() {
        return now.get();
    }

    public void advance(Duration by) {
        now.addAndGet(by.toMillis());
    }
}
