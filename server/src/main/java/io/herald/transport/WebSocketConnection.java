package io.herald.transport;

import io.herald.config.ClientConfig;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;
import io.herald.session.ClientSession;
import io.herald.session.Connection;
import io.herald.session.SessionServices;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a WebSocket pipeline: hands data frames to the {@link ClientSession} and is the
 * session's {@link Connection}. Control frames never reach it.
 *
 * <p>Outbound is bounded in bytes: writes made during one event-loop pass leave with one flush; past
 * the channel's high water mark reading from the client pauses; a connection whose queued bytes would
 * exceed {@code max_queue_bytes}, or that stays unable to take writes for {@code write_timeout}, is
 * closed as a slow consumer (4004). All fields are owned by the channel's event loop.
 */
final class WebSocketConnection extends SimpleChannelInboundHandler<WebSocketFrame> implements Connection, OpenConnection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    /** How long a closing connection may take to flush its close frame before the socket is dropped. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final Channel channel;
    private final ClientSession session;
    /** The {@code ?token=} value until the session has started; not kept for the connection's life. */
    private String token;
    private final ControlFrames control;
    private final LivenessSweeps sweeps;
    private final HeraldMetrics metrics;
    private final Connections connections;
    private final long maxQueueBytes;
    private final long pingNanos;
    private final long silenceLimitNanos;
    private final long writeTimeoutNanos;
    private long lastPingNanos = System.nanoTime();
    /** When the channel became unwritable, or 0 while it is writable. */
    private long unwritableSinceNanos;
    private boolean flushScheduled;
    /** Writes entering the pipeline below the WebSocket frame encoder, for frames already encoded. */
    private ChannelOutboundInvoker rawWriter;
    private boolean closing;
    /** Why the connection ended, as a metrics label; null while open or when the client closed it. */
    private String closeReason;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        channelFlush();
    };

    WebSocketConnection(Channel channel, SessionServices services, String token, ControlFrames control,
                        LivenessSweeps sweeps, Connections connections, HeraldMetrics metrics) {
        this.channel = channel;
        this.token = token;
        this.control = control;
        this.sweeps = sweeps;
        this.metrics = metrics;
        this.connections = connections;
        ClientConfig client = services.config().client();
        this.maxQueueBytes = client.maxQueueBytes();
        this.pingNanos = client.ping().toNanos();
        this.silenceLimitNanos = client.ping().plus(client.pongTimeout()).toNanos();
        this.writeTimeoutNanos = client.writeTimeout().toNanos();
        this.session = new ClientSession(this, services);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ChannelHandlerContext encoder = ctx.pipeline().context(WebSocketFrameEncoder.class);
        rawWriter = encoder != null ? encoder : ctx.pipeline().firstContext();
        sweeps.register(this, ctx.executor());
        metrics.connectionOpened();
        log.debug("connection {} opened from {}", session.clientId(), channel.remoteAddress());
        if (!connections.tryAdd(this)) {
            metrics.rateLimited("max_connections");
            close(CloseCode.CONNECTION_LIMIT, "server connection limit reached; retry later");
            return;
        }
        String t = token;
        token = null;
        session.start(t);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        metrics.bytesIn(frame.content().readableBytes());
        if (frame instanceof TextWebSocketFrame text) {
            session.onFrame(ByteBufUtil.getBytes(text.content()));
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.onUnsupportedFrame("binary frames are not supported; send JSON text frames");
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
        sweeps.unregister(this, ctx.executor());
        connections.remove(this);
        String reason = closeReason == null ? "client" : closeReason;
        metrics.connectionClosed(reason);
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

    /** The liveness sweep's tick: silence, pings, the write deadline, then the session's own deadlines. */
    @Override
    public void tick(long nowNanos, long nowMillis) {
        if (closing) {
            return;
        }
        if (nowNanos - control.lastReadNanos() > silenceLimitNanos) {
            log.debug("connection {} silent for too long, dropping", session.clientId());
            closing = true;
            closeReason = "heartbeat";
            channel.close();
            return;
        }
        if (unwritableSinceNanos != 0 && nowNanos - unwritableSinceNanos > writeTimeoutNanos) {
            slowConsumer("could not take writes for " + TimeUnit.NANOSECONDS.toSeconds(writeTimeoutNanos) + "s");
            return;
        }
        if (nowNanos - lastPingNanos >= pingNanos) {
            lastPingNanos = nowNanos;
            channel.writeAndFlush(new PingWebSocketFrame(), channel.voidPromise());
        }
        session.onTick(nowMillis);
    }

    private void slowConsumer(String why) {
        metrics.slowConsumer();
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
            write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)));
        }
    }

    @Override
    public void sendShared(byte[] frame) {
        if (admit(frame.length)) {
            // already a complete WebSocket frame: enter the pipeline below the frame encoder, which
            // would only pass it on after walking every handler above it
            rawWriter.write(SharedFrames.frame(frame, channel.alloc()), channel.voidPromise());
            scheduleFlush();
        }
    }

    /** Whether a frame of {@code length} may be queued; closes a slow consumer and answers false. */
    private boolean admit(int length) {
        if (closing) {
            return false;
        }
        if (queuedBytes() + length > maxQueueBytes) {
            // frames written this loop pass are not flushed yet; only bytes the socket refuses count,
            // and one frame always fits into an empty queue (a publication may be larger than the cap)
            channel.flush();
            long queued = queuedBytes();
            if (queued > 0 && queued + length > maxQueueBytes) {
                slowConsumer("outbound queue over max_queue_bytes (" + maxQueueBytes + ")");
                return false;
            }
        }
        metrics.bytesOut(length);
        return true;
    }

    /** Writes now; one flush per event-loop pass sends everything written in it. */
    private void write(Object message) {
        channel.write(message, channel.voidPromise());
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void channelFlush() {
        rawWriter.flush();
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = code.name().toLowerCase(java.util.Locale.ROOT);
        session.onClosed();
        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(Frames.disconnect(code, reason))));
        // Half-close after the close frame and keep reading until the peer closes: closing the socket
        // while the peer's frames are still arriving makes the kernel answer with a reset, and a reset
        // discards the disconnect and close frames the peer has not read yet.
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), clipReason(reason))).addListener(f -> {
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
    private static String clipReason(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        String cut = new String(b, 0, 120, StandardCharsets.UTF_8);
        return cut.replace("\uFFFD", "") + "...";
    }
}
