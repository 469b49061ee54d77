package io.herald.sdk.subscriber;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Client-side liveness check: every {@code interval} ms it sends {@code {"type":"ping"}}; if no frame
 * at all (a pong, a publication, a server ping) arrived during the following {@code timeout} ms,
 * the connection is declared dead. A dead connection is so noticed within interval + timeout of
 * its last sign of life. Loop only.
 */
final class Heartbeat {
    private final ScheduledExecutorService loop;
    private final long interval;
    private final long timeout;
    private final Runnable sendPing;
    private final Runnable onDead;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> deadlineTimer;
    private long received;

    Heartbeat(ScheduledExecutorService loop, long intervalMillis, long timeoutMillis, Runnable sendPing, Runnable onDead) {
        this.loop = loop;
        this.interval = intervalMillis;
        this.timeout = timeoutMillis;
        this.sendPing = sendPing;
        this.onDead = onDead;
    }

    void start() {
        stop();
        if (interval > 0) {
            pingTimer = loop.schedule(this::ping, interval, TimeUnit.MILLISECONDS);
        }
    }

    void frameReceived() {
        received++;
    }

    void stop() {
        if (pingTimer != null) {
            pingTimer.cancel(false);
        }
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        pingTimer = null;
        deadlineTimer = null;
    }

    private void ping() {
        // pings keep their own rhythm, so a silence is noticed within interval + timeout
        pingTimer = loop.schedule(this::ping, interval, TimeUnit.MILLISECONDS);
        if (deadlineTimer != null) {
            return;
        }
        long before = received;
        sendPing.run();
        deadlineTimer = loop.schedule(() -> {
            deadlineTimer = null;
            if (received == before) {
                stop();
                onDead.run();
            }
        }, timeout, TimeUnit.MILLISECONDS);
    }
}
