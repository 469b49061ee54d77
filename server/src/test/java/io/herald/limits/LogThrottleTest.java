package io.herald.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private final AtomicLong nanos = new AtomicLong(123_456_789L);
    private final LogThrottle throttle = new LogThrottle(10_000, nanos::get);

    private void advanceMillis(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    @Test
    void theFirstEventPassesAndTheOthersWithinTheIntervalAreHeldBackAndCounted() {
        assertThat(throttle.pass()).isZero();
        for (int i = 0; i < 1000; i++) {
            assertThat(throttle.pass()).isEqualTo(LogThrottle.SUPPRESSED);
        }
        advanceMillis(9_999);
        assertThat(throttle.pass()).isEqualTo(LogThrottle.SUPPRESSED);
        advanceMillis(1);
        assertThat(throttle.pass()).as("the next line names the 1001 held back").isEqualTo(1001);
        assertThat(throttle.pass()).isEqualTo(LogThrottle.SUPPRESSED);
        advanceMillis(10_000);
        assertThat(throttle.pass()).isEqualTo(1);
    }

    @Test
    void aQuietThrottleLetsTheNextEventThroughAtOnceWhateverTheClockReads() {
        LogThrottle early = new LogThrottle(10_000, () -> Long.MIN_VALUE + 5);
        assertThat(early.pass()).isZero();
        assertThat(early.pass()).isEqualTo(LogThrottle.SUPPRESSED);
    }
}
