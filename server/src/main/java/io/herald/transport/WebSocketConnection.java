package io.herald.transport;

import io.herald.protocol.CloseCode;
import io.herald.protocol.Frames;
import io.herald.session.ClientSession;
import io.herald.session.Connection;
import io.herald.session.SessionServices;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a WebSocket pipeline: hands data frames to the {@link ClientSession} and is the
 * session's {@link Connection}. Control frames never reach it. Writes made during one event-loop pass
 * leave with one flush. All fields are owned by the channel's event loop.
 */
final class WebSocketConnection extends SimpleChannelInboundHandler<WebSocketFrame> implements Connection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketConnection.class);

    private final Channel channel;
    private final ClientSession session;
    private final String token;
    private boolean flushScheduled;
    private boolean closing;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        channelFlush();
    };

    WebSocketConnection(Channel channel, SessionServices services, String token) {
        this.channel = channel;
        this.session = new ClientSession(this, services);
        this.token = token;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        session.start(token);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            session.onFrame(ByteBufUtil.getBytes(text.content()));
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.onUnsupportedFrame("binary frames are not supported; send JSON text frames");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        session.onClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException || isStatus(cause, WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            closeAndEnd(CloseCode.FRAME_TOO_LARGE, "frame larger than max_frame_size");
        } else if (cause instanceof CorruptedFrameException) {
            closeAndEnd(CloseCode.BAD_REQUEST, "malformed WebSocket frame");
        } else {
            log.debug("connection error, closing", cause);
            ctx.close();
        }
    }

    private static boolean isStatus(Throwable cause, WebSocketCloseStatus status) {
        return cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                && c.closeStatus().code() == status.code();
    }

    private void closeAndEnd(CloseCode code, String reason) {
        close(code, reason);
        session.onClosed();
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    @Override
    public boolean inLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return channel.eventLoop().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void send(byte[] frame) {
        if (closing) {
            return;
        }
        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), channel.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    private void channelFlush() {
        channel.flush();
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (closing) {
            return;
        }
        channel.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(Frames.disconnect(code, reason))));
        closing = true;
        channel.writeAndFlush(new CloseWebSocketFrame(code.code(), clipReason(reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Close-frame reasons are limited to 123 bytes of UTF-8. */
    private static String clipReason(String reason) {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(b, 0, 120);
        return buf.toString(StandardCharsets.UTF_8).replace("\uFFFD", "") + "...";
    }
}
