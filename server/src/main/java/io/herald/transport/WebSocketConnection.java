package io.herald.transport;

import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;
import io.herald.session.ClientSession;
import io.herald.session.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stage after Netty's WebSocket frame decoder, and the session's {@link Connection}. It answers
 * control frames (ping, pong, close), joins fragmented messages, and hands whole text messages to the
 * {@link ClientSession}. Outbound frames are written as bytes ({@link WireFrames}), with no encoder
 * stage. These jobs share one handler on purpose: each pipeline stage costs about 90 bytes per
 * connection, a large share of an idle connection's memory.
 *
 * <p>Outbound is bounded in bytes: writes made during one event-loop pass leave with one flush; past
 * the channel's high water mark reading from the client pauses; a connection whose queued bytes would
 * exceed {@code max_queue_bytes}, or that stays unable to take writes for {@code write_timeout}, is
 * closed as a slow consumer (4004). All fields are owned by the channel's event loop.
 */
final class WebSocketConnection extends ChannelInboundHandlerAdapter implements Connection, OpenConnection, FlushBatch.Member {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    /** How long a closing connection may take to flush its close frame before the socket is dropped. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final Channel channel;
    private final WebSocketSettings settings;
    private final ClientSession session;
    /** The {@code ?token=} value until the session has started; not kept for the connection's life. */
    private String token;
    /** When any frame (data or control) last arrived, in {@link System#nanoTime()} terms. */
    private long lastReadNanos = System.nanoTime();
    private long lastPingNanos = lastReadNanos;
    /** When the channel became unwritable, or 0 while it is writable. */
    private long unwritableSinceNanos;
    /** The parts of a fragmented message so far; null unless one is arriving. */
    private ByteBuf fragments;
    private boolean fragmentsAreText;
    /** This connection's index in its loop's sweep; maintained by {@link LivenessSweeps}. */
    private int sweepSlot = -1;
    private boolean flushScheduled;
    private boolean closing;
    /** Why the connection ended, as a metrics label; null while open or when the client closed it. */
    private String closeReason;

    WebSocketConnection(Channel channel, WebSocketSettings settings, String token) {
        this.channel = channel;
        this.settings = settings;
        this.token = token;
        this.session = new ClientSession(this, settings.services());
    }

    private HeraldMetrics metrics() {
        return settings.metrics();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        settings.sweeps().register(this, ctx.executor());
        metrics().connectionOpened();
        log.debug("connection {} opened from {}", session.clientId(), channel.remoteAddress());
        if (!settings.connections().tryAdd(this)) {
            metrics().rateLimited("max_connections");
            close(CloseCode.CONNECTION_LIMIT, "server connection limit reached; retry later");
            return;
        }
        String t = token;
        token = null;
        session.start(t);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            switch (frame) {
                case PingWebSocketFrame ping -> {
                    channel.write(WireFrames.of(WireFrames.PONG, ping.content(), channel.alloc()), channel.voidPromise());
                    scheduleFlush();
                }
                case CloseWebSocketFrame close -> {
                    // echo the peer's close, then close: the closing handshake it started
                    closing = true;
                    channel.writeAndFlush(WireFrames.of(WireFrames.CLOSE, close.content(), channel.alloc()))
                            .addListener(ChannelFutureListener.CLOSE);
                }
                case TextWebSocketFrame text -> message(frame, true);
                case BinaryWebSocketFrame binary -> message(frame, false);
                case ContinuationWebSocketFrame more -> continuation(more);
                default -> {
                    // pong: only proves the peer is alive, which lastReadNanos recorded
                }
            }
        } finally {
            frame.release();
        }
    }

    /**
     * The first (or only) frame of a message. Netty's decoder has already refused a sequence that
     * breaks the fragmentation rules (a continuation without a start, a new message inside one) as
     * a corrupted frame, so here a message starts only when no fragmented one is open.
     */
    private void message(WebSocketFrame frame, boolean text) {
        metrics().bytesIn(frame.content().readableBytes());
        if (frame.isFinalFragment()) {
            deliver(frame.content(), text);
        } else {
            fragments = channel.alloc().heapBuffer(frame.content().readableBytes() * 2);
            fragments.writeBytes(frame.content());
            fragmentsAreText = text;
        }
    }

    private void continuation(ContinuationWebSocketFrame frame) {
        metrics().bytesIn(frame.content().readableBytes());
        if (fragments.readableBytes() + frame.content().readableBytes() > settings.maxMessageBytes()) {
            dropFragments();
            close(CloseCode.FRAME_TOO_LARGE, "frame larger than max_frame_size");
            return;
        }
        fragments.writeBytes(frame.content());
        if (frame.isFinalFragment()) {
            ByteBuf whole = fragments;
            fragments = null;
            try {
                deliver(whole, fragmentsAreText);
            } finally {
                whole.release();
            }
        }
    }

    private void deliver(ByteBuf content, boolean text) {
        if (text) {
            session.onFrame(ByteBufUtil.getBytes(content));
        } else {
            session.onUnsupportedFrame("binary frames are not supported; send JSON text frames");
        }
    }

    private void dropFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = channel.isWritable();
        unwritableSinceNanos = writable ? 0 : System.nanoTime();
        channel.config().setAutoRead(writable);
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        dropFragments();
        settings.sweeps().unregister(this, ctx.executor());
        settings.connections().remove(this);
        String reason = closeReason == null ? "client" : closeReason;
        metrics().connectionClosed(reason);
        log.debug("connection {} closed: {}", session.clientId(), reason);
        session.onClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || isStatus(cause, WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            close(CloseCode.FRAME_TOO_LARGE, "frame larger than max_frame_size");
        } else if (cause instanceof CorruptedFrameException) {
            close(CloseCode.BAD_REQUEST, "malformed WebSocket frame");
        } else {
            log.debug("connection {} failed, closing", session.clientId(), cause);
            ctx.close();
        }
    }

    private static boolean isStatus(Throwable cause, WebSocketCloseStatus status) {
        return cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                && c.closeStatus().code() == status.code();
    }

    @Override
    public int sweepSlot() {
        return sweepSlot;
    }

    @Override
    public void sweepSlot(int slot) {
        sweepSlot = slot;
    }

    /** The liveness sweep's tick: silence, pings, the write deadline, then the session's own deadlines. */
    @Override
    public void tick(long nowNanos, long nowMillis) {
        if (closing) {
            return;
        }
        if (nowNanos - lastReadNanos > settings.silenceLimitNanos()) {
            log.debug("connection {} silent for too long, dropping", session.clientId());
            closing = true;
            closeReason = "heartbeat";
            channel.close();
            return;
        }
        long writeTimeout = settings.writeTimeoutNanos();
        if (unwritableSinceNanos != 0 && nowNanos - unwritableSinceNanos > writeTimeout) {
            slowConsumer("could not take writes for " + TimeUnit.NANOSECONDS.toSeconds(writeTimeout) + "s");
            return;
        }
        if (nowNanos - lastPingNanos >= settings.pingNanos()) {
            lastPingNanos = nowNanos;
            channel.writeAndFlush(WireFrames.ping(), channel.voidPromise());
        }
        session.onTick(nowMillis);
    }

    private void slowConsumer(String why) {
        metrics().slowConsumer();
        log.debug("connection {} is a slow consumer: {}", session.clientId(), why);
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
    public void send(byte[] frame) {
        if (admit(frame.length)) {
            write(WireFrames.text(frame, channel.alloc()));
        }
    }

    @Override
    public void sendShared(byte[] frame) {
        if (admit(frame.length)) {
            write(SharedFrames.frame(frame, channel.alloc()));
        }
    }

    /** Whether a frame of {@code length} may be queued; closes a slow consumer and answers false. */
    private boolean admit(int length) {
        if (closing) {
            return false;
        }
        long max = settings.maxQueueBytes();
        if (queuedBytes() + length > max) {
            // frames written this loop pass are not flushed yet; only bytes the socket refuses count,
            // and one frame always fits into an empty queue (a publication may be larger than the cap)
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

    /** Writes now; one flush per event-loop pass sends everything written in it. */
    private void write(ByteBuf frame) {
        channel.write(frame, channel.voidPromise());
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            FlushBatch.current().add(this, channel.eventLoop());
        }
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        channel.flush();
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = code.name().toLowerCase(Locale.ROOT);
        session.onClosed();
        channel.write(WireFrames.text(Frames.disconnect(code, reason), channel.alloc()), channel.voidPromise());
        // Half-close after the close frame and keep reading until the peer closes: closing the socket
        // while the peer's frames are still arriving makes the kernel answer with a reset, and a reset
        // discards the disconnect and close frames the peer has not read yet.
        channel.writeAndFlush(WireFrames.close(code.code(), clipReason(reason), channel.alloc())).addListener(f -> {
            if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        channel.config().setAutoRead(true);
        // a peer that neither reads nor closes would otherwise keep the connection forever
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Close-frame reasons are limited to 123 bytes of UTF-8. */
    private static byte[] clipReason(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return b;
        }
        String cut = new String(b, 0, 120, StandardCharsets.UTF_8);
        return (cut.replace("\uFFFD", "") + "...").getBytes(StandardCharsets.UTF_8);
    }
}
