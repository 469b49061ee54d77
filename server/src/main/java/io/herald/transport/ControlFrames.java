package io.herald.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Handles WebSocket control frames so later stages see data frames only: answers pings, swallows
 * pongs, echoes a close and closes. Notes when anything last arrived, for the liveness sweep. All
 * fields are owned by the channel's event loop.
 */
final class ControlFrames extends ChannelInboundHandlerAdapter {
    private long lastReadNanos = System.nanoTime();

    /** When any frame (data or control) last arrived, in {@link System#nanoTime()} terms. */
    long lastReadNanos() {
        return lastReadNanos;
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
