package io.herald.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One periodic task per event loop that ticks every client connection (WebSocket, SSE) on that loop: pings,
 * silence, write deadlines, connect timeouts and token expiry. Liveness thus costs no thread or timer
 * per connection. Thread-safe; each loop's set is touched only on that loop.
 */
final class LivenessSweeps {
    private final ConcurrentHashMap<EventExecutor, Sweep> sweeps = new ConcurrentHashMap<>();
    private final long periodMillis;

    /** The tick period: a quarter of the ping interval, between 100 ms and 1 s. */
    LivenessSweeps(Duration ping) {
        this.periodMillis = Math.clamp(ping.toMillis() / 4, 100, 1000);
    }

    /** Adds a connection to its loop's sweep; call on that loop. */
    void register(OpenConnection c, EventExecutor loop) {
        sweeps.computeIfAbsent(loop, Sweep::new).connections.add(c);
    }

    /** Removes a connection; call on its loop. */
    void unregister(OpenConnection c, EventExecutor loop) {
        Sweep s = sweeps.get(loop);
        if (s != null) {
            s.connections.remove(c);
        }
    }

    void close() {
        sweeps.values().forEach(s -> s.task.cancel(false));
    }

    private final class Sweep {
        final LinkedHashSet<OpenConnection> connections = new LinkedHashSet<>();
        final ScheduledFuture<?> task;

        Sweep(EventExecutor loop) {
            task = loop.scheduleAtFixedRate(this::run, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        }

        private void run() {
            long nowNanos = System.nanoTime();
            long nowMillis = System.currentTimeMillis();
            for (OpenConnection c : new ArrayList<>(connections)) {
                c.tick(nowNanos, nowMillis);
            }
        }
    }
}
