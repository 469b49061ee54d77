package io.herald.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the node's TCP connections against {@code max_connections}, and among them the client
 * connections (WebSocket and SSE) for the metrics; the client connections themselves are listed by
 * their loops' {@link LivenessSweeps}, so a connection costs no entry in a shared set. Thread-safe.
 *
 * <p>Every accepted socket counts, whatever it turns into (an API request, a poll, a WebSocket), so
 * silent or half-sent requests cannot hold file descriptors beyond the limit. A socket accepted past
 * the limit is still read for a short while, so that it can be told why ({@code disconnect} 4008 on
 * a WebSocket, 429 on HTTP); past the limit plus a small headroom (see {@link #socketOpened}) a socket is
 * closed at once. The limit is lowered at start when the process's open-file limit could not hold
 * it, since a node out of file descriptors cannot even accept a healthy client.
 */
final class Connections {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);
    /**
     * File descriptors kept for everything that is not a client socket (jars, logs, epoll, Redis), or
     * twice what the process has open at start when that is more.
     */
    static final int RESERVED_FILES = 256;
    /** Marks a socket accepted past {@code max_connections}; only such sockets carry it. */
    private static final AttributeKey<Boolean> OVER_LIMIT = AttributeKey.valueOf("herald.overLimit");

    private final AtomicInteger sockets = new AtomicInteger();
    /**
     * Every counted socket, so {@link #closeAll} can close them itself: Netty 4.2's loop shutdown with
     * no quiet period can end a loop without closing its channels (when the shutdown request lands
     * between the loop's shutting-down check and its confirmation), leaving clients on a stopped node.
     */
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger sse = new AtomicInteger();
    private final int max;
    private final int ceiling;
    /** Counts a socket out when it closes; one shared instance, so a socket costs no listener object. */
    private final ChannelFutureListener closed = f -> {
        open.remove(f.channel());
        sockets.decrementAndGet();
    };

    /**
     * @param configured {@code max_connections}, 0 = unlimited
     * @param openFiles  the process's open-file limit, or a value &lt;= 0 when unknown
     */
    Connections(int configured, long openFiles) {
        int limit = configured;
        if (openFiles > 0) {
            long room = openFiles - Math.max(RESERVED_FILES, 2 * openNow());
            long fits = room - headroom((int) Math.min(Integer.MAX_VALUE, room));
            if (limit == 0 || limit > fits) {
                if (configured > 0) {
                    log.warn("max_connections {} does not fit the open-file limit {} (ulimit -n); using {}",
                            configured, openFiles, Math.max(1, fits));
                }
                limit = (int) Math.max(1, fits);
            }
        }
        this.max = limit;
        this.ceiling = limit == 0 ? 0 : limit + headroom(limit);
    }

    /** Sockets past the limit that may still be told why: a sixty-fourth of it, at least 64. */
    private static int headroom(int limit) {
        return Math.max(64, limit / 64);
    }

    /** Files the process has open now, or 0 where the platform does not tell. */
    private static long openNow() {
        return unix() instanceof com.sun.management.UnixOperatingSystemMXBean u ? u.getOpenFileDescriptorCount() : 0;
    }

    /** The process's open-file limit, or -1 where the platform does not tell. */
    static long openFileLimit() {
        return unix() instanceof com.sun.management.UnixOperatingSystemMXBean u ? u.getMaxFileDescriptorCount() : -1;
    }

    private static java.lang.management.OperatingSystemMXBean unix() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    }

    /**
     * Counts in a newly accepted socket. Returns false when it is past the ceiling: the caller closes it
     * at once. A socket past the limit but under the ceiling is marked {@linkplain #overLimit over the
     * limit}.
     */
    boolean socketOpened(Channel ch) {
        int n = sockets.incrementAndGet();
        if (max > 0 && n > ceiling) {
            sockets.decrementAndGet();
            return false;
        }
        open.add(ch);
        ch.closeFuture().addListener(closed);
        if (max > 0 && n > max) {
            ch.attr(OVER_LIMIT).set(Boolean.TRUE);
        }
        return true;
    }

    /**
     * The server channel's stage that counts each accepted socket before it is handed to an I/O loop:
     * counted any later, a busy node would accept past the open-file limit while registrations wait.
     * Runs on the accepting loop.
     */
    ChannelInboundHandler acceptor(Runnable onRefused) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public boolean isSharable() {
                return true;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                Channel child = (Channel) msg;
                if (!socketOpened(child)) {
                    onRefused.run();
                    child.unsafe().closeForcibly();
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** Whether the socket was accepted past {@code max_connections}. */
    static boolean overLimit(Channel ch) {
        return ch.hasAttr(OVER_LIMIT);
    }

    /** Counts a client connection in unless its socket came past the limit. */
    boolean tryAdd(OpenConnection c, Channel ch) {
        if (overLimit(ch)) {
            return false;
        }
        count.incrementAndGet();
        if (c instanceof SseConnection) {
            sse.incrementAndGet();
        }
        return true;
    }

    /** Counts out a connection that {@link #tryAdd} counted in. */
    void remove(OpenConnection c) {
        count.decrementAndGet();
        if (c instanceof SseConnection) {
            sse.decrementAndGet();
        }
    }

    /** Open client connections (WebSocket and SSE). */
    int count() {
        return count.get();
    }

    /** Open SSE streams (the rest of {@link #count} are WebSocket connections). */
    int sseCount() {
        return sse.get();
    }

    /** Open TCP connections of every kind. */
    int sockets() {
        return sockets.get();
    }

    /** Closes every counted socket and waits up to {@code timeoutMillis} for them to be closed; for a node that stops. */
    void closeAll(long timeoutMillis) {
        List<ChannelFuture> closing = new ArrayList<>(open.size());
        for (Channel ch : open) {
            closing.add(ch.close());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (ChannelFuture f : closing) {
            if (!f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.warn("{} connection(s) not closed within {} ms", open.size(), timeoutMillis);
                return;
            }
        }
    }

}
