package io.herald.transport;

/**
 * A client connection as the node's bookkeeping sees it, whatever its transport (WebSocket, SSE):
 * counted against the connection limit, ticked by its loop's sweep, drained at shutdown.
 */
interface OpenConnection {
    /**
     * The sweep's tick on the connection's loop: heartbeats, write deadline, the session's deadlines.
     * Returns the {@link System#nanoTime} by which it must be ticked again; the sweep ticks it at its
     * first pass from then (or after {@link LivenessSweeps#soon}), and may tick it sooner.
     */
    long tick(long nowNanos, long nowMillis);

    /** Bytes queued for this connection and not yet taken by the socket. */
    long queuedBytes();

    /** Tells the client to reconnect elsewhere after {@code delayMillis}; called when the node drains. */
    void drainAfter(long delayMillis);

    /** This connection's index in its loop's sweep, -1 when in none; read and set by {@link LivenessSweeps} on the loop. */
    int sweepSlot();

    void sweepSlot(int slot);
}
