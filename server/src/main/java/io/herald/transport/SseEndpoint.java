package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.config.HeraldConfig;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import io.herald.proxy.ProxyKind;
import io.herald.session.ClientTransport;
import io.herald.session.Handshake;
import io.herald.session.SessionServices;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * {@code GET /sse}: checks the request (origin, new-connection rate per IP, channels and cursors),
 * answers with the event-stream headers and hands the connection to an {@link SseConnection}.
 * Problems found before the stream starts are HTTP errors (400, 403, 429), which also stop a
 * browser's EventSource from retrying; token and permission problems come later, on the stream, as
 * {@code disconnect} 4003, as on the WebSocket.
 */
final class SseEndpoint {
    private final HeraldConfig config;
    private final SessionServices services;
    private final ConnectionSettings settings;
    private final Cors cors;

    SseEndpoint(SessionServices services, LivenessSweeps sweeps, Connections connections, Cors cors) {
        this.config = services.config();
        this.services = services;
        this.settings = ConnectionSettings.of(services, sweeps, connections);
        this.cors = cors;
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!cors.admit(ctx, origin, "/sse")) {
            return;
        }
        if (!req.method().equals(HttpMethod.GET)) {
            cors.wrongMethod(ctx, false, HttpMethod.GET, HttpReplies.errorBody(ErrorCode.BAD_REQUEST, "use GET for /sse"),
                    origin);
            return;
        }
        long wait = HttpGuard.refusedRetryAfter(ctx.pipeline());
        if (wait > 0) {
            services.metrics().rateLimited(RateLimit.CONNECTION_RATE_PER_IP);
            cors.reply(ctx, false, ErrorCode.TOO_MANY_REQUESTS.status(), HttpReplies.errorBody(ErrorCode.TOO_MANY_REQUESTS,
                    "too many new connections from " + WebSocketUpgrade.remoteHost(ctx) + "; retry in " + wait + "s"),
                    wait, origin);
            return;
        }
        StreamQuery query;
        try {
            query = StreamQuery.parse(uri.parameters(), req.headers().get("Last-Event-ID"),
                    config.client().maxSubscriptions());
        } catch (ProtocolException e) {
            services.metrics().error(e.code());
            cors.error(ctx, false, e.code(), e.getMessage(), origin);
            return;
        }
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        // no-cache and X-Accel-Buffering keep proxies (nginx among them) from holding events back
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        res.headers().set("X-Accel-Buffering", "no");
        HttpUtil.setTransferEncodingChunked(res, true);
        // the stream ends with its connection (sendClose): said up front, so an HTTP client that
        // reads the stream to its end does not keep the connection for its next request
        HttpUtil.setKeepAlive(res, false);
        cors.decorate(res.headers(), origin);
        ctx.writeAndFlush(res, ctx.voidPromise());
        ctx.pipeline().remove(HttpRouter.class);
        HttpGuard.handOver(ctx.pipeline());
        Handshake handshake = query.token() == null && config.proxy().has(ProxyKind.CONNECT)
                ? WebSocketUpgrade.handshake(ctx, req, uri, ClientTransport.SSE, config) : null;
        ctx.pipeline().addLast("sse", new SseConnection(ctx.channel(), settings, query, handshake));
    }
}
