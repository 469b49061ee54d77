package io.herald.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One periodic task per event loop that ticks the client connections (WebSocket, SSE) on that loop: pings,
 * silence, write deadlines, connect timeouts and token expiry. Liveness thus costs no thread or timer
 * per connection. Each pass looks at every connection's next deadline, which its last tick returned,
 * in an array of its own, and ticks only those whose deadline has come (or that asked through
 * {@link #soon}): an idle connection is ticked once per ping interval, not once a second, and the
 * pass does not touch the others' objects (at 19,000 idle connections, ticking all of them each second
 * was a fifth of the node's CPU). Thread-safe; each loop's list is touched only on that loop.
 */
final class LivenessSweeps {
    /**
     * Each period is worked in this many runs, each ticking the due connections of the next share of
     * the loop's: a run over every connection at once (thousands of ticks, and the keep-alive writes
     * that fall due together) held the loop's deliveries back by milliseconds once a period. Fewer,
     * bigger batches of pings cost less, though: their pongs come back together and are read in fewer
     * wake-ups, on both sides. At 19,000 idle connections 4 runs instead of 10 cut the node's CPU by
     * about a quarter (BENCHMARKS.md, "Fifth round"), for batches of about 95 pings per loop.
     */
    static final int RUNS_PER_PERIOD = 4;
    private final ConcurrentHashMap<EventExecutor, Sweep> sweeps = new ConcurrentHashMap<>();
    private final long periodMillis;

    /** The tick period (how often each connection is ticked): a quarter of the ping interval, between 100 ms and 1 s. */
    LivenessSweeps(Duration ping) {
        this.periodMillis = Math.clamp(ping.toMillis() / 4, 100, 1000);
    }

    /** Adds a connection to its loop's sweep; call on that loop. */
    void register(OpenConnection c, EventExecutor loop) {
        sweeps.computeIfAbsent(loop, Sweep::new).add(c);
    }

    /** Removes a connection; call on its loop. */
    void unregister(OpenConnection c, EventExecutor loop) {
        Sweep s = sweeps.get(loop);
        if (s != null) {
            s.remove(c);
        }
    }

    /**
     * Has the connection ticked at its share's next pass, whatever its last tick said (it set a deadline,
     * or has bytes queued); call on its loop.
     */
    void soon(OpenConnection c, EventExecutor loop) {
        Sweep s = sweeps.get(loop);
        if (s != null) {
            s.soon(c);
        }
    }

    void close() {
        sweeps.values().forEach(s -> s.task.cancel(false));
    }

    /**
     * Every registered connection, collected on each loop; for the drain, which runs off the loops
     * (waiting here on a loop would block it). Loops that do not answer within a second are skipped.
     */
    List<OpenConnection> snapshot() {
        List<CompletableFuture<List<OpenConnection>>> parts = new ArrayList<>();
        for (Sweep s : sweeps.values()) {
            CompletableFuture<List<OpenConnection>> part = new CompletableFuture<>();
            s.loop.execute(() -> part.complete(List.of(Arrays.copyOf(s.connections, s.size))));
            parts.add(part);
        }
        List<OpenConnection> all = new ArrayList<>();
        for (CompletableFuture<List<OpenConnection>> part : parts) {
            try {
                all.addAll(part.get(1, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                // a loop that is gone or stuck has no connections to drain politely
            }
        }
        return all;
    }

    /** Bytes queued for all connections and not yet taken by their sockets, as of each loop's last sweep. */
    long queuedBytes() {
        long sum = 0;
        for (Sweep s : sweeps.values()) {
            sum += s.queuedBytes;
        }
        return sum;
    }

    /**
     * One loop's connections in an array, each knowing its index ({@link OpenConnection#sweepSlot()}),
     * so membership costs a slot rather than a set entry per connection. Owned by the loop.
     */
    private final class Sweep {
        /** In {@link #due}: tick at the next pass. */
        private static final long NOW = Long.MIN_VALUE;
        private OpenConnection[] connections = new OpenConnection[64];
        /** Per slot, the {@link System#nanoTime} its connection's last tick asked to be ticked by, or {@link #NOW}. */
        private long[] due = new long[64];
        private int size;
        final EventExecutor loop;
        final ScheduledFuture<?> task;
        /** The loop's queued outbound bytes as of each share's last run; read by any thread. */
        volatile long queuedBytes;
        private final long[] shareQueued = new long[RUNS_PER_PERIOD];
        private int run;

        Sweep(EventExecutor loop) {
            this.loop = loop;
            long every = Math.max(1, periodMillis / RUNS_PER_PERIOD);
            task = loop.scheduleAtFixedRate(this::run, every, every, TimeUnit.MILLISECONDS);
        }

        void add(OpenConnection c) {
            if (c.sweepSlot() >= 0) {
                return;
            }
            if (size == connections.length) {
                connections = Arrays.copyOf(connections, size * 2);
                due = Arrays.copyOf(due, size * 2);
            }
            c.sweepSlot(size);
            due[size] = NOW;
            connections[size++] = c;
        }

        void soon(OpenConnection c) {
            int i = c.sweepSlot();
            if (i >= 0 && i < size && connections[i] == c) {
                due[i] = NOW;
            }
        }

        void remove(OpenConnection c) {
            int i = c.sweepSlot();
            if (i < 0 || i >= size || connections[i] != c) {
                return;
            }
            OpenConnection last = connections[--size];
            connections[i] = last;
            due[i] = due[size];
            last.sweepSlot(i);
            connections[size] = null;
            c.sweepSlot(-1);
        }

        /**
         * Ticks the connections of the next {@code 1/RUNS_PER_PERIOD} whose deadline has come, from the
         * end of that share down, so a connection that closes (and leaves, the last one moving into its
         * slot) during its tick does not make the run skip one. The shares are by position, so a
         * connection that moves may be looked at once more or once less in a period; a deadline is then
         * noticed a period late at most. A connection not ticked had no bytes queued at its last tick and
         * has queued none since ({@link #soon} otherwise), so it adds nothing to the queued bytes.
         */
        private void run() {
            int share = run % RUNS_PER_PERIOD;
            run++;
            int from = (int) ((long) size * share / RUNS_PER_PERIOD);
            int to = (int) ((long) size * (share + 1) / RUNS_PER_PERIOD);
            long nowNanos = System.nanoTime();
            long nowMillis = System.currentTimeMillis();
            long queued = 0;
            for (int i = Math.min(to, size) - 1; i >= from; i--) {
                if (i < size) {
                    long d = due[i];
                    if (d != NOW && d - nowNanos > 0) {
                        continue;
                    }
                    OpenConnection c = connections[i];
                    long next = c.tick(nowNanos, nowMillis);
                    // the tick may have closed it, and the last connection moved into this slot
                    if (i < size && connections[i] == c) {
                        long q = c.queuedBytes();
                        queued += q;
                        due[i] = q > 0 ? NOW : next;
                    }
                }
            }
            shareQueued[share] = queued;
            long sum = 0;
            for (long q : shareQueued) {
                sum += q;
            }
            queuedBytes = sum;
        }
    }
}
