package io.herald.transport;

import io.herald.config.ClientConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Handles WebSocket control frames so later stages see data frames only: answers pings, echoes a
 * close and closes, and keeps the connection's liveness: a ping every {@code ping} interval, and a
 * close when nothing at all arrived for {@code ping + pong_timeout}. All fields are owned by the
 * channel's event loop.
 */
final class ControlFrames extends ChannelInboundHandlerAdapter {
    private final long pingMillis;
    private final long silenceLimitNanos;
    private long lastReadNanos = System.nanoTime();
    private ScheduledFuture<?> pinger;

    ControlFrames(ClientConfig client) {
        this.pingMillis = client.ping().toMillis();
        this.silenceLimitNanos = client.ping().plus(client.pongTimeout()).toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pinger = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), pingMillis, pingMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        pinger.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pinger.cancel(false);
        ctx.fireChannelInactive();
    }

    private void tick(ChannelHandlerContext ctx) {
        if (System.nanoTime() - lastReadNanos > silenceLimitNanos) {
            ctx.close();
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
        } else if (msg instanceof PongWebSocketFrame) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof CloseWebSocketFrame close) {
            ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
            close.release();
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
