package io.herald.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The last {@value #SIZE} connection closes the server decided (every reason but {@link CloseReason#CLIENT}),
 * newest first, for the admin UI's recent problems. Thread-safe (a short lock per close).
 */
public final class RecentCloses {
    static final int SIZE = 100;

    /** One close: when (epoch millis), why, and whose connection ({@code user} "" for anonymous). */
    public record Close(long atMillis, CloseReason reason, String client, String user) {
    }

    private final Close[] ring = new Close[SIZE];
    /** Guarded by {@code this}. */
    private long written;

    synchronized void add(Close c) {
        ring[(int) (written++ % SIZE)] = c;
    }

    /** The recorded closes, newest first. */
    public synchronized List<Close> list() {
        int n = (int) Math.min(written, SIZE);
        List<Close> out = new ArrayList<>(n);
        for (long i = written - 1; i >= written - n; i--) {
            out.add(ring[(int) (i % SIZE)]);
        }
        return out;
    }
}
