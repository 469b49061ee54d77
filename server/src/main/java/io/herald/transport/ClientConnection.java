package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.metrics.CloseReason;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.CloseCode;
import io.herald.session.Connection;
import io.herald.session.Session;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client connection does whatever its transport (WebSocket, SSE): it is its
 * {@link Session}'s {@link Connection}, counts against the node's connection limit, is ticked by
 * its loop's liveness sweep, and bounds its outbound bytes. Writes made during one loop iteration
 * leave with one flush ({@link FlushBatch}); past {@code max_queue_bytes} queued, or unable to take
 * writes for {@code write_timeout}, the connection is closed as a slow consumer (4004). Subclasses
 * frame the pushes. All fields are owned by the channel's event loop.
 */
abstract class ClientConnection<S extends Session> extends ChannelInboundHandlerAdapter
        implements Connection, OpenConnection, FlushBatch.Member {
    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    /** How long a closing connection may take to flush its last frames before the socket is dropped. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    final Channel channel;
    final ConnectionSettings settings;
    final S session;
    /**
     * When the last keep-alive went, as if one had: the first one comes after between half and the
     * whole ping interval, so connections that opened together (a node's clients reconnecting after a
     * restart, a load test) do not all send theirs in the same sweep, each a write to its socket.
     */
    private long lastPingNanos;
    /** When the channel became unwritable, or 0 while it is writable. */
    private long unwritableSinceNanos;
    /** This connection's index in its loop's sweep; maintained by {@link LivenessSweeps}. */
    private int sweepSlot = -1;
    private boolean flushScheduled;
    /** True once counted in by {@link Connections#tryAdd}, so it is counted out exactly once. */
    private boolean counted;
    /** Set once the connection is closing or closed: nothing more is queued. */
    boolean closing;
    /** Why the connection ended; null while open, and when the client ended it without the server deciding. */
    private CloseReason closeReason;

    /** @param sessions makes the connection's session (Herald's own, or a protocol adapter's) */
    ClientConnection(Channel channel, ConnectionSettings settings, Function<Connection, S> sessions) {
        this.channel = channel;
        this.settings = settings;
        long ping = settings.pingNanos();
        this.lastPingNanos = System.nanoTime() - (ping > 1 ? ThreadLocalRandom.current().nextLong(ping / 2) : 0);
        this.session = sessions.apply(this);
    }

    /** What the logs call it ("connection", "SSE stream"). */
    abstract String kind();

    @Override
    public String remoteAddress() {
        return channel.remoteAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : null;
    }

    /** Sends the transport's keep-alive (a ping frame, a comment line). */
    abstract void sendKeepAlive();

    /** Queues the {@code disconnect} push and the transport's ending, then closes or half-closes. */
    abstract void sendClose(CloseCode code, String reason, boolean reconnect);

    HeraldMetrics metrics() {
        return settings.metrics();
    }

    /**
     * Registers the connection; false when the node is full (the connection is then closing with
     * 4008). Call from {@code handlerAdded}.
     */
    boolean open(ChannelHandlerContext ctx) {
        settings.sweeps().register(this, ctx.executor());
        metrics().connectionOpened();
        log.debug("{} {} opened from {}", kind(), session.clientId(), channel.remoteAddress());
        if (!settings.connections().tryAdd(this, channel)) {
            metrics().rateLimited(RateLimit.MAX_CONNECTIONS);
            close(CloseCode.CONNECTION_LIMIT, "server connection limit reached; retry later");
            return false;
        }
        counted = true;
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        settings.sweeps().unregister(this, ctx.executor());
        if (counted) {
            counted = false;
            settings.connections().remove(this);
        }
        CloseReason reason = closeReason == null ? CloseReason.CLIENT : closeReason;
        metrics().connectionClosed(reason, session.clientId(), session.userId());
        log.debug("{} {} closed: {}", kind(), session.clientId(), reason.label());
        session.onClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = channel.isWritable();
        unwritableSinceNanos = writable ? 0 : System.nanoTime();
        if (!writable) {
            // its write deadline starts now
            tickSoon();
        }
        if (writable && !closing) {
            session.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Below the high water mark (a quarter of {@code max_queue_bytes}, at least 16 KiB) and not closing. */
    @Override
    public boolean isWritable() {
        return !closing && channel.isWritable();
    }

    /**
     * The liveness sweep's tick: the write deadline, keep-alives, then the session's own deadlines.
     * Returns the earliest of the next ones (the next keep-alive at the latest).
     */
    @Override
    public long tick(long nowNanos, long nowMillis) {
        long ping = settings.pingNanos();
        if (closing) {
            // the close's own timer ends it
            return nowNanos + ping;
        }
        long writeTimeout = settings.writeTimeoutNanos();
        if (unwritableSinceNanos != 0 && nowNanos - unwritableSinceNanos > writeTimeout) {
            slowConsumer("could not take writes for " + TimeUnit.NANOSECONDS.toSeconds(writeTimeout) + "s");
            return nowNanos + ping;
        }
        if (nowNanos - lastPingNanos >= ping) {
            lastPingNanos = nowNanos;
            sendKeepAlive();
        }
        long due = lastPingNanos + ping;
        if (unwritableSinceNanos != 0) {
            due = earlier(due, unwritableSinceNanos + writeTimeout + 1);
        }
        long next = session.onTick(nowMillis);
        if (next != Session.NO_DEADLINE) {
            due = earlier(due, nowNanos + Math.max(0, next - nowMillis) * 1_000_000);
        }
        return due;
    }

    /** The earlier of two {@link System#nanoTime} values (compared by difference, as the clock may wrap). */
    static long earlier(long a, long b) {
        return b - a < 0 ? b : a;
    }

    /** The session moved a deadline: ticked again within a sweep period. */
    @Override
    public void deadlinesChanged() {
        if (channel.eventLoop().inEventLoop()) {
            tickSoon();
        } else {
            // sessions run on the loop; should one ever not, the sweep's arrays still are only touched there
            channel.eventLoop().execute(this::tickSoon);
        }
    }

    /** Has the sweep tick this connection at its next pass; on the loop. */
    private void tickSoon() {
        settings.sweeps().soon(this, channel.eventLoop());
    }

    /**
     * Drops the connection without a goodbye (its peer went silent, or its socket failed), counted as
     * {@link CloseReason#NETWORK} unless it was already ending for another reason.
     */
    void drop() {
        closing = true;
        if (closeReason == null) {
            closeReason = CloseReason.NETWORK;
        }
        channel.close();
    }

    /**
     * The client ended the connection itself (a WebSocket close frame): counted as {@link CloseReason#CLIENT}
     * even if its socket is reset afterwards.
     */
    void closedByClient() {
        closing = true;
        if (closeReason == null) {
            closeReason = CloseReason.CLIENT;
        }
    }

    /**
     * A failure the pipeline reports: a socket or TLS error is the network's (the connection is
     * dropped); anything else is a fault of the server's own on this connection, closed with 4002.
     */
    void failed(Throwable cause) {
        if (cause instanceof IOException || cause instanceof DecoderException) {
            log.debug("{} {} failed, dropping: {}", kind(), session.clientId(), cause.toString());
            drop();
        } else {
            log.error("{} {} failed, closing", kind(), session.clientId(), cause);
            close(CloseCode.INTERNAL_ERROR, "internal error");
        }
    }

    private void slowConsumer(String why) {
        metrics().slowConsumer();
        log.debug("{} {} is a slow consumer: {}", kind(), session.clientId(), why);
        close(CloseCode.SLOW_CONSUMER, "slow consumer: " + why);
    }

    @Override
    public long queuedBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void drainAfter(long delayMillis) {
        channel.eventLoop().schedule(() -> close(CloseCode.SHUTDOWN, "server shutting down; reconnect"),
                delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean inLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public int sweepSlot() {
        return sweepSlot;
    }

    @Override
    public void sweepSlot(int slot) {
        sweepSlot = slot;
    }

    /** Whether {@code length} more bytes may be queued; closes a slow consumer and answers false. */
    boolean admit(int length) {
        if (closing) {
            return false;
        }
        long max = settings.maxQueueBytes();
        if (queuedBytes() + length > max) {
            // writes of this loop iteration are not flushed yet; only bytes the socket refuses count,
            // and one message always fits into an empty queue (a publication may be larger than the cap)
            channel.flush();
            long queued = queuedBytes();
            if (queued > 0 && queued + length > max) {
                slowConsumer("outbound queue over max_queue_bytes (" + max + ")");
                return false;
            }
        }
        FlushBatch.current().countBytes(metrics(), length);
        return true;
    }

    /** Writes now; the loop iteration's flush batch sends everything written in it. */
    void write(Object message) {
        channel.write(message, channel.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            FlushBatch.current().add(this, channel.eventLoop());
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        channel.flush();
        if (queuedBytes() > 0) {
            // the socket did not take it all: counted by the sweep (the queued-bytes gauge) from its next pass
            tickSoon();
        }
    }

    @Override
    public void close(CloseCode code, String reason, boolean reconnect) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = CloseReason.of(code);
        session.onClosed();
        sendClose(code, reason, reconnect);
        // a peer that does not read (or, on a WebSocket, never closes) would otherwise keep the socket
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
