package io.herald.engine.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether every Redis deployment of the engine answers: a {@code PING} on each command connection
 * every {@link #INTERVAL_MILLIS}. A deployment answers while its last PING was answered and the one
 * in flight, if any, has waited less than the deadline (the engine's command timeout). An open
 * connection to a Redis that does not answer (stopped, swapping, a network that drops packets) is so
 * noticed within the deadline plus one interval; the connection state alone would not show it.
 * Thread-safe: the scheduler and Lettuce's threads update the probes, any thread reads them.
 */
final class RedisHealth implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisHealth.class);
    static final long INTERVAL_MILLIS = 500;

    private final List<Probe> probes;
    private final long deadlineNanos;
    private final ScheduledFuture<?> task;

    /** One deployment's state; guarded by its monitor. */
    private static final class Probe {
        final RedisBackend backend;
        /** Whether a PING is in flight, and when ({@link System#nanoTime()}) it was sent. */
        boolean inFlight;
        long sentAt;
        /** Whether the deployment answered the last PING in time (true until a first one says otherwise). */
        boolean answering = true;

        Probe(RedisBackend backend) {
            this.backend = backend;
        }
    }

    RedisHealth(RedisShards shards, Duration deadline, ScheduledExecutorService scheduler) {
        this.probes = shards.all().stream().map(Probe::new).toList();
        this.deadlineNanos = deadline.toNanos();
        this.task = scheduler.scheduleWithFixedDelay(this::check, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Whether every deployment answered its last PING and none is overdue. Cheap and non-blocking. */
    boolean answering() {
        for (Probe p : probes) {
            synchronized (p) {
                if (!p.answering) {
                    return false;
                }
            }
        }
        return true;
    }

    private void check() {
        long now = System.nanoTime();
        for (Probe p : probes) {
            synchronized (p) {
                if (p.inFlight) {
                    if (now - p.sentAt > deadlineNanos) {
                        set(p, false, "no answer to PING within " + Duration.ofNanos(deadlineNanos).toMillis() + " ms");
                    }
                    continue;
                }
                p.inFlight = true;
                p.sentAt = now;
            }
            try {
                p.backend.commands().ping().whenComplete((pong, error) -> answered(p, now, error));
            } catch (RuntimeException e) {
                answered(p, now, e);
            }
        }
    }

    private void answered(Probe p, long sentAt, Throwable error) {
        synchronized (p) {
            if (!p.inFlight || p.sentAt != sentAt) {
                return;
            }
            p.inFlight = false;
            set(p, error == null, error == null ? "answers PING again" : "PING failed: " + error.getMessage());
        }
    }

    /** Called holding {@code p}'s monitor; logs each change once. */
    private static void set(Probe p, boolean answering, String why) {
        if (p.answering == answering) {
            return;
        }
        p.answering = answering;
        if (answering) {
            log.info("Redis {} {}; the engine is reachable", p.backend.name(), why);
        } else {
            log.warn("Redis {}: {}; the engine counts as unreachable (readiness false) until it answers", p.backend.name(), why);
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
