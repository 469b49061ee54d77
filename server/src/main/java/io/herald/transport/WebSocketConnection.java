package io.herald.transport;

import io.herald.session.ClientTransport;
import io.herald.protocol.CloseCode;
import io.herald.session.ClientSession;
import io.herald.session.Connection;
import io.herald.session.Handshake;
import io.herald.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
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
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stage after Netty's WebSocket frame decoder: a {@link ClientConnection} that answers control
 * frames (ping, pong, close), joins fragmented messages, hands whole text messages to the session,
 * and writes its frames as bytes ({@link WireFrames}), with no encoder stage. These jobs share one
 * handler on purpose: each pipeline stage costs about 90 bytes per connection, a large share of an
 * idle connection's memory. Reading pauses while the socket takes no writes. The session speaks the
 * protocol of the endpoint: Herald's on {@code /ws}, Pusher's on {@code /app/{key}}; its goodbye and
 * close code end the connection. All fields are owned by the channel's event loop.
 */
final class WebSocketConnection<S extends Session> extends ClientConnection<S> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);
    /** Starts the session once the connection is registered; null afterwards (it holds the {@code ?token=}). */
    private Consumer<S> start;
    /** When any frame (data or control) last arrived, in {@link System#nanoTime()} terms. */
    private long lastReadNanos = System.nanoTime();
    /** The parts of a fragmented message so far; null unless one is arriving. */
    private ByteBuf fragments;
    private boolean fragmentsAreText;

    /**
     * @param sessions makes the session on this connection
     * @param start    starts it once the connection counts against the node's limits
     */
    WebSocketConnection(Channel channel, ConnectionSettings settings, Function<Connection, S> sessions, Consumer<S> start) {
        super(channel, settings, sessions);
        this.start = start;
    }

    /** A connection speaking Herald's protocol: the session starts with the {@code ?token=} value and the handshake. */
    static WebSocketConnection<ClientSession> herald(Channel channel, ConnectionSettings settings, String token,
                                                     Handshake handshake) {
        return new WebSocketConnection<>(channel, settings, c -> new ClientSession(c, settings.services()),
                s -> s.start(token, handshake));
    }

    @Override
    public ClientTransport transport() {
        return ClientTransport.WEBSOCKET;
    }

    @Override
    String kind() {
        return "connection";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Consumer<S> s = start;
        start = null;
        if (open(ctx)) {
            s.accept(session);
        }
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
                case PingWebSocketFrame ping -> write(WireFrames.of(WireFrames.PONG, ping.content(), channel.alloc()));
                case CloseWebSocketFrame close -> {
                    // echo the peer's close, then close: the closing handshake it started
                    closedByClient();
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
        channel.config().setAutoRead(channel.isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropFragments();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || isStatus(cause, WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            close(CloseCode.FRAME_TOO_LARGE, "frame larger than max_frame_size");
        } else if (cause instanceof CorruptedFrameException) {
            close(CloseCode.BAD_REQUEST, "malformed WebSocket frame");
        } else {
            failed(cause);
        }
    }

    private static boolean isStatus(Throwable cause, WebSocketCloseStatus status) {
        return cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                && c.closeStatus().code() == status.code();
    }

    /** Drops a connection silent for {@code ping + pong_timeout}, then the common tick. */
    @Override
    public long tick(long nowNanos, long nowMillis) {
        long silence = settings.silenceLimitNanos();
        if (!closing && nowNanos - lastReadNanos > silence) {
            log.debug("connection {} silent for too long, dropping", session.clientId());
            drop();
            return nowNanos + settings.pingNanos();
        }
        // a read since only moves this later: the tick then finds it not silent and asks again
        return earlier(super.tick(nowNanos, nowMillis), lastReadNanos + silence + 1);
    }

    @Override
    void sendKeepAlive() {
        channel.writeAndFlush(WireFrames.ping(), channel.voidPromise());
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

    @Override
    void sendClose(CloseCode code, String reason, boolean reconnect) {
        byte[] goodbye = session.goodbye(code, reason, reconnect);
        if (goodbye != null) {
            channel.write(WireFrames.text(goodbye, channel.alloc()), channel.voidPromise());
        }
        // Half-close after the close frame and keep reading until the peer closes: closing the socket
        // while the peer's frames are still arriving makes the kernel answer with a reset, and a reset
        // discards the disconnect and close frames the peer has not read yet.
        channel.writeAndFlush(WireFrames.close(session.closeCode(code), clipReason(reason), channel.alloc())).addListener(f -> {
            if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        channel.config().setAutoRead(true);
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
