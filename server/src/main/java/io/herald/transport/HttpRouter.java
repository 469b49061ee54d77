package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.admin.AdminApi;
import io.herald.admin.AdminRequest;
import io.herald.api.ApiRequest;
import io.herald.api.ServerApi;
import io.herald.metrics.HeraldMetrics;
import io.herald.pusher.PusherAdapter;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.herald.limits.KeyedRateLimiter;
import io.herald.protocol.ErrorCode;
import io.herald.pusher.PusherApiRequest;
import io.herald.pusher.PusherHttpApi;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes plain HTTP requests: {@code /ws} and {@code /app/{key}} (Pusher) upgrades, {@code /sse}, {@code /poll},
 * {@code /publish} and {@code /rpc} (with their CORS preflights), {@code /health}, {@code /ready}, the server API,
 * the Pusher HTTP API ({@code /apps/...}), {@code /metrics} and the admin UI ({@code /admin}, {@code /admin/api/...}).
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    /** The Pusher Channels WebSocket endpoint: {@code /app/{key}}. */
    static final String PUSHER_PATH = "/app/";
    private final WebSocketUpgrade upgrade;
    private final PusherAdapter pusher;
    private final ServerApi api;
    private final BooleanSupplier ready;
    private final HeraldMetrics metrics;
    private final ClientEndpoints clients;
    private final PublicEndpoints open;
    /** Null when {@code admin.enabled} is false. */
    private final AdminApi admin;
    private final PusherHttpApi pusherApi;

    /** The HTTP endpoints of clients on SSE or polling, and their CORS rule. */
    record ClientEndpoints(SseEndpoint sse, PollEndpoint poll, CommandEndpoint commands, Cors cors) {
    }

    /**
     * The rules of the endpoints anyone may call ({@code /health}, {@code /ready}, {@code /metrics}):
     * requests per second per IP address, and the bearer token {@code /metrics} requires (null: none).
     */
    record PublicEndpoints(KeyedRateLimiter<InetAddress> perIp, byte[] metricsAuth) {
    }

    HttpRouter(WebSocketUpgrade upgrade, PusherAdapter pusher, ServerApi api, BooleanSupplier ready, HeraldMetrics metrics,
               ClientEndpoints clients, PublicEndpoints open, AdminApi admin, PusherHttpApi pusherApi) {
        this.pusherApi = pusherApi;
        this.pusher = pusher;
        this.open = open;
        this.admin = admin;
        this.metrics = metrics;
        this.clients = clients;
        this.upgrade = upgrade;
        this.api = api;
        this.ready = ready;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            HttpReplies.error(ctx, false, ErrorCode.BAD_REQUEST, "malformed HTTP request");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.rawPath();
        if (isPublic(path) && refusedPublic(ctx, keepAlive, path, req)) {
            return;
        }
        if (path.equals("/ws")) {
            upgrade.handle(ctx, req, uri);
        } else if (path.startsWith(PUSHER_PATH) && path.indexOf('/', PUSHER_PATH.length()) < 0 && !pusher.apps().isEmpty()) {
            upgrade.handlePusher(ctx, req, uri, pusher, path.substring(PUSHER_PATH.length()));
        } else if (path.equals("/health")) {
            HttpReplies.json(ctx, keepAlive, 200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
        } else if (path.equals("/ready")) {
            boolean r = ready.getAsBoolean();
            HttpReplies.json(ctx, keepAlive, r ? 200 : 503, ("{\"ready\":" + r + "}").getBytes(StandardCharsets.UTF_8));
        } else if (path.startsWith("/api/")) {
            ApiRequest request = new ApiRequest(req.method().name(), path, uri.parameters(),
                    req.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(req.content()));
            api.handle(request).thenAccept(res -> ctx.executor().execute(() -> HttpReplies.api(ctx, keepAlive, res)));
        } else if (PusherHttpApi.handles(path)) {
            PusherApiRequest request = new PusherApiRequest(req.method().name(), path, uri.parameters(),
                    ByteBufUtil.getBytes(req.content()));
            pusherApi.handle(request).thenAccept(res -> ctx.executor().execute(() -> HttpReplies.pusher(ctx, keepAlive, res)));
        } else if (path.equals("/admin") || path.startsWith("/admin/")) {
            admin(ctx, keepAlive, req, uri, path);
        } else if (path.equals("/metrics")) {
            HttpReplies.text(ctx, keepAlive, metrics.scrape());
        } else if ((path.equals("/sse") || path.equals("/poll") || path.equals("/publish") || path.equals("/rpc"))
                && req.method().equals(HttpMethod.OPTIONS)) {
            clients.cors().preflight(ctx, req);
        } else if (path.equals("/sse")) {
            clients.sse().handle(ctx, req, uri);
        } else if (path.equals("/poll")) {
            clients.poll().handle(ctx, req, uri);
        } else if (path.equals("/publish") || path.equals("/rpc")) {
            clients.commands().handle(ctx, req, uri);
        } else {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
    }

    private void admin(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest req, QueryStringDecoder uri,
                       String path) {
        if (admin == null) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "the admin UI is off on this node"
                    + " (set admin.enabled: true and admin.password or HERALD_ADMIN_ENABLED=true and HERALD_ADMIN_PASSWORD)");
            return;
        }
        InetAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        AdminRequest request = new AdminRequest(req.method().name(), path, uri.parameters(),
                req.headers().get(HttpHeaderNames.COOKIE), req.headers().get(HttpHeaderNames.ORIGIN),
                req.headers().get("X-Herald-Admin"), req.headers().get(HttpHeaderNames.HOST), remote,
                ctx.pipeline().get("tls") != null, ByteBufUtil.getBytes(req.content()));
        admin.handle(request).thenAccept(res -> ctx.executor().execute(() -> HttpReplies.admin(ctx, keepAlive, res)));
    }

    /** The endpoints anyone may call: health, readiness and metrics. */
    static boolean isPublic(String path) {
        return path.equals("/health") || path.equals("/ready") || path.equals("/metrics");
    }

    /** Applies the per-IP rate and the metrics token; true when it answered the request itself. */
    private boolean refusedPublic(ChannelHandlerContext ctx, boolean keepAlive, String path, FullHttpRequest req) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            long wait = open.perIp().acquire(remote.getAddress());
            if (wait > 0) {
                metrics.rateLimited(RateLimit.PUBLIC_RATE_PER_IP);
                HttpReplies.json(ctx, keepAlive, ErrorCode.TOO_MANY_REQUESTS.status(), HttpReplies.errorBody(
                        ErrorCode.TOO_MANY_REQUESTS, "more than the allowed requests per second to " + path
                                + " from this address; retry in " + wait + "s"), wait);
                return true;
            }
        }
        if (path.equals("/metrics") && open.metricsAuth() != null) {
            String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(given, open.metricsAuth())) {
                HttpReplies.error(ctx, keepAlive, ErrorCode.UNAUTHORIZED,
                        "/metrics requires Authorization: Bearer <metrics.auth>");
                return true;
            }
        }
        return false;
    }

    /** A client that hangs up mid-request (say, during a large upload) is routine, not a server fault. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
