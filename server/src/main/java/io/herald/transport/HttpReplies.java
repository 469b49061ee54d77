package io.herald.transport;

import io.herald.admin.AdminResponse;
import io.herald.api.ApiException;
import io.herald.api.ApiResponse;
import io.herald.api.ServerApi;
import io.herald.protocol.ErrorCode;
import io.herald.pusher.PusherApiResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Writes JSON HTTP responses, keeping the connection open when the client asked for keep-alive. */
final class HttpReplies {
    private HttpReplies() {
    }

    static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, byte[] body) {
        json(ctx, keepAlive, status, body, 0);
    }

    /** A JSON response; {@code retryAfter} > 0 adds a {@code Retry-After} header. */
    static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, byte[] body, long retryAfter) {
        write(ctx, keepAlive, response(status, body, keepAlive, retryAfter));
    }

    /** A server API answer, with its {@code Retry-After} and {@code Allow} headers where it has them. */
    static void api(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse res) {
        FullHttpResponse out = response(res.status(), res.body(), keepAlive, res.retryAfter());
        if (res.allow() != null) {
            out.headers().set(HttpHeaderNames.ALLOW, res.allow());
        }
        write(ctx, keepAlive, out);
    }

    /** A Pusher HTTP API answer: JSON on success, Pusher's plain text on error, with its {@code Retry-After}. */
    static void pusher(ChannelHandlerContext ctx, boolean keepAlive, PusherApiResponse res) {
        write(ctx, keepAlive, pusherResponse(res, keepAlive));
    }

    static FullHttpResponse pusherResponse(PusherApiResponse res, boolean keepAlive) {
        if (res.json()) {
            return response(res.status(), res.body(), keepAlive, res.retryAfter());
        }
        FullHttpResponse out = response(res.status(), "text/plain; charset=utf-8", res.body(), keepAlive);
        if (res.retryAfter() > 0) {
            out.headers().set(HttpHeaderNames.RETRY_AFTER, res.retryAfter());
        }
        return out;
    }

    /** An admin UI answer: its content type and headers. */
    static void admin(ChannelHandlerContext ctx, boolean keepAlive, AdminResponse res) {
        FullHttpResponse out = response(res.status(), res.contentType(), res.body(), keepAlive);
        res.headers().forEach((k, v) -> out.headers().set(k, v));
        write(ctx, keepAlive, out);
    }

    /** Builds a JSON response without writing it. */
    static FullHttpResponse response(int status, byte[] body, boolean keepAlive, long retryAfter) {
        FullHttpResponse res = response(status, HttpHeaderValues.APPLICATION_JSON, body, keepAlive);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (retryAfter > 0) {
            res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
        }
        return res;
    }

    private static FullHttpResponse response(int status, CharSequence contentType, byte[] body, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(res, body.length);
        HttpUtil.setKeepAlive(res, keepAlive);
        return res;
    }

    /** Writes a response; without keep-alive the connection closes once it is sent. */
    static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A JSON error body {@code {"error":{"code","message"}}}. */
    static byte[] errorBody(ErrorCode code, String message) {
        return ServerApi.error(new ApiException(code, message)).body();
    }

    /** Prometheus text exposition. */
    static void text(ChannelHandlerContext ctx, boolean keepAlive, String body) {
        write(ctx, keepAlive, response(200, "text/plain; version=0.0.4; charset=utf-8",
                body.getBytes(StandardCharsets.UTF_8), keepAlive));
    }

    /** 429 {@code too_many_requests} with {@code Retry-After}; the connection is closed. */
    static void tooManyRequests(ChannelHandlerContext ctx, long retryAfterSeconds, String message) {
        json(ctx, false, ErrorCode.TOO_MANY_REQUESTS.status(), errorBody(ErrorCode.TOO_MANY_REQUESTS, message),
                retryAfterSeconds);
    }

    /** An error {@code {"error":{"code","message"}}} under the code's status. */
    static void error(ChannelHandlerContext ctx, boolean keepAlive, ErrorCode code, String message) {
        json(ctx, keepAlive, code.status(), errorBody(code, message));
    }
}
