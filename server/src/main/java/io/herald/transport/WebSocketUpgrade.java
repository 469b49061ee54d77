package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.config.HeraldConfig;
import io.herald.protocol.ErrorCode;
import io.herald.proxy.ProxyKind;
import io.herald.pusher.PusherAdapter;
import io.herald.pusher.PusherErrorCode;
import io.herald.pusher.PusherSession;
import io.herald.session.ClientTransport;
import io.herald.session.Handshake;
import io.herald.session.SessionServices;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Upgrades {@code GET /ws} to WebSocket and assembles the WebSocket stages: Netty's frame decoder,
 * then the {@link WebSocketConnection} (control frames, fragments, liveness, the session). Oversized
 * frames and invalid UTF-8 are not fatal in the decoder: the session answers them (close 4009,
 * bad_request).
 */
final class WebSocketUpgrade {
    private final HeraldConfig config;
    private final SessionServices services;
    private final WebSocketDecoderConfig decoderConfig;
    private final ConnectionSettings settings;
    private final Cors cors;

    WebSocketUpgrade(HeraldConfig config, SessionServices services, LivenessSweeps sweeps, Connections connections,
                     Cors cors) {
        this.config = config;
        this.services = services;
        this.settings = ConnectionSettings.of(services, sweeps, connections);
        this.cors = cors;
        this.decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.client().maxFrameSize())
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false)
                .allowExtensions(false)
                .build();
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
        if (!admitted(ctx, req, "/ws")) {
            return;
        }
        List<String> tokens = uri.parameters().get("token");
        String token = tokens == null || tokens.isEmpty() ? null : tokens.getFirst();
        Handshake handshake = token == null && config.proxy().has(ProxyKind.CONNECT)
                ? handshake(ctx, req, uri, ClientTransport.WEBSOCKET, config) : null;
        upgrade(ctx, req, "/ws", () -> WebSocketConnection.herald(ctx.channel(), settings, token, handshake));
    }

    /**
     * {@code GET /app/{key}}: the Pusher Channels protocol over the same hub, with the same upgrade
     * rules (origin, connection rate, frame size). The {@code protocol} query parameter must be 5-7
     * (pusher-js sends 7); a problem with it, like an unknown key, is told after the upgrade with
     * Pusher's code, as pusher-js expects.
     */
    void handlePusher(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, PusherAdapter pusher,
                      String key) {
        if (!admitted(ctx, req, "/app/{key}")) {
            return;
        }
        List<String> protocols = uri.parameters().get("protocol");
        PusherErrorCode refusal = protocolProblem(protocols == null || protocols.isEmpty() ? null : protocols.getFirst());
        upgrade(ctx, req, uri.rawPath(), () -> new WebSocketConnection<>(ctx.channel(), settings,
                c -> pusher.session(c, key, refusal), PusherSession::start));
    }

    /** Pusher's codes for the {@code protocol} query parameter: missing, not a number, not one Herald speaks. */
    static PusherErrorCode protocolProblem(String protocol) {
        if (protocol == null || protocol.isEmpty()) {
            return PusherErrorCode.NO_PROTOCOL_VERSION;
        }
        if (!protocol.matches("[0-9]{1,3}")) {
            return PusherErrorCode.INVALID_VERSION;
        }
        int v = Integer.parseInt(protocol);
        return v >= 5 && v <= 7 ? null : PusherErrorCode.UNSUPPORTED_PROTOCOL;
    }

    /** The rules every upgrade passes: a GET with {@code Upgrade: websocket}, an allowed origin, the rate per address. */
    private boolean admitted(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        if (!req.method().equals(HttpMethod.GET) || !req.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
            HttpReplies.error(ctx, false, ErrorCode.BAD_REQUEST, path + " expects a WebSocket upgrade (GET with Upgrade: websocket)");
            return false;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !cors.allowed(origin)) {
            HttpReplies.error(ctx, false, ErrorCode.PERMISSION_DENIED, "origin " + origin + " is not in allowed_origins");
            return false;
        }
        long wait = HttpGuard.refusedRetryAfter(ctx.pipeline());
        if (wait > 0) {
            services.metrics().rateLimited(RateLimit.CONNECTION_RATE_PER_IP);
            HttpReplies.tooManyRequests(ctx, wait, "too many new connections from " + remoteHost(ctx) + "; retry in " + wait + "s");
            return false;
        }
        return true;
    }

    /** The handshake, then the WebSocket stages: the connection {@code handler} makes, with the session of the path. */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, String path,
                         java.util.function.Supplier<io.netty.channel.ChannelHandler> handler) {
        String location = (config.tls() != null ? "wss://" : "ws://") + req.headers().get(HttpHeaderNames.HOST, "localhost") + path;
        WebSocketServerHandshaker handshaker =
                new WebSocketServerHandshakerFactory(location, null, decoderConfig).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        handshaker.handshake(ctx.channel(), req).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            p.remove(HttpRouter.class);
            // the connection writes its frames as bytes (WireFrames); an encoder stage would only cost memory
            ChannelHandlerContext encoder = p.context(WebSocketFrameEncoder.class);
            if (encoder != null) {
                p.remove(encoder.handler());
            }
            HttpGuard.handOver(p);
            p.addLast("ws-session", handler.get());
        });
    }

    /** What the connect proxy is told of a client request: only the headers {@code proxy.headers} names. */
    static Handshake handshake(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri,
                               ClientTransport transport, HeraldConfig config) {
        return Handshake.of(transport, remoteHost(ctx), config.proxy(), name -> {
            List<String> values = req.headers().getAll(name);
            // repeated headers are joined as a proxy joins them; cookies with "; " (RFC 6265 §5.4)
            return values.isEmpty() ? null : String.join(name.equals("cookie") ? "; " : ", ", values);
        }, uri.parameters());
    }

    static String remoteHost(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress remote
                ? remote.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }
}
