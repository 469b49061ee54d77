package io.herald.limits;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about limit breaches at most once per interval per kind, with the number suppressed since
 * the last warning, so a flood of breaches cannot fill the disk. Thread-safe.
 */
public final class BreachLog {
    private static final Logger log = LoggerFactory.getLogger(BreachLog.class);

    private final long intervalMillis;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final LogThrottle throttle;
        final AtomicLong total = new AtomicLong();
        volatile long lastMillis;

        Window(long intervalMillis) {
            throttle = new LogThrottle(intervalMillis);
        }
    }

    /** One kind of breach: how many since start and the last one (epoch millis). */
    public record Summary(String kind, long count, long lastMillis) {
    }

    /** Every kind breached since start, the most recent first. */
    public List<Summary> summary() {
        List<Summary> out = new ArrayList<>();
        windows.forEach((kind, w) -> out.add(new Summary(kind, w.total.get(), w.lastMillis)));
        out.sort(Comparator.comparingLong(Summary::lastMillis).reversed());
        return out;
    }

    public BreachLog(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** Records a breach of {@code kind}; logs a warning when none was logged for it within the interval. */
    public void breach(String kind) {
        Window w = windows.computeIfAbsent(kind, k -> new Window(intervalMillis));
        w.total.incrementAndGet();
        w.lastMillis = System.currentTimeMillis();
        long more = w.throttle.pass();
        if (more == LogThrottle.SUPPRESSED) {
            return;
        }
        log.warn("limit reached: {}{}", kind, more > 0 ? " (and " + more + " more times since the last warning)" : "");
    }
}
