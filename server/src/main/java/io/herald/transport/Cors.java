package io.herald.transport;

import io.herald.config.HeraldConfig;
import io.herald.limits.LogThrottle;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ErrorCode;
import io.herald.proxy.ProxyKind;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which browser origins may use the client endpoints: the {@code Origin} rule of {@code /ws}, and the
 * CORS answers of {@code /sse}, {@code /poll}, {@code /publish} and {@code /rpc}. Herald never reads
 * cookies; where the connect proxy is configured and forwards them ({@code proxy.headers} names
 * {@code cookie}), an origin listed by name (not {@code *}, not dev mode) may send them too
 * ({@code Access-Control-Allow-Credentials}), so a page on another origin can connect with its
 * session cookie. A refused origin is logged (a browser shows only a failed WebSocket, 1006, or a
 * CORS error, never the 403's body), at most once per {@link #REFUSAL_LOG_INTERVAL_MILLIS} so a
 * flood of foreign pages cannot fill the log. Thread-safe.
 */
final class Cors {
    private static final Logger log = LoggerFactory.getLogger(Cors.class);
    private static final long PREFLIGHT_MAX_AGE_SECONDS = 600;
    static final long REFUSAL_LOG_INTERVAL_MILLIS = 10_000;
    private final HeraldConfig config;
    private final LogThrottle refusals = new LogThrottle(REFUSAL_LOG_INTERVAL_MILLIS);

    /** True when a request's cookies reach the connect proxy, so browsers may be asked to send them. */
    private final boolean cookies;

    Cors(HeraldConfig config) {
        this.config = config;
        this.cookies = config.proxy().has(ProxyKind.CONNECT) && config.proxy().headers().contains("cookie");
    }

    /** Any origin in dev mode; otherwise only those listed ({@code *} for any). */
    private boolean allowed(String origin) {
        List<String> allowed = config.allowedOrigins();
        return config.devMode() || allowed.contains("*") || allowed.contains(origin);
    }

    /**
     * Whether the request to {@code path} may go on: true without an {@code Origin} (not a browser) or
     * with an allowed one; else answers 403 (connection closed), logs the refusal and returns false.
     */
    boolean admit(ChannelHandlerContext ctx, String origin, String path) {
        if (origin == null || allowed(origin)) {
            return true;
        }
        // logged before the answer, so the line is there by the time the refused page sees the 403
        long more = refusals.pass();
        if (more != LogThrottle.SUPPRESSED) {
            log.warn("refused a browser request to {} from origin {}: not in allowed_origins {} (set allowed_origins or"
                    + " HERALD_ALLOWED_ORIGINS; the page sees only a failed WebSocket, 1006, or a CORS error){}",
                    path, printable(origin), config.allowedOrigins(),
                    more > 0 ? " (and " + more + " more refused origins since the last warning)" : "");
        }
        HttpReplies.error(ctx, false, ErrorCode.PERMISSION_DENIED, "origin " + origin + " is not in allowed_origins");
        return false;
    }

    /** The header as it may go into a log line: printable ASCII, clipped. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), 100));
        for (int i = 0; i < value.length() && i < 100; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return CommandParser.clip(out.toString());
    }

    /** Adds the headers that let an allowed browser origin read the response. */
    void decorate(HttpHeaders headers, String origin) {
        if (origin != null && allowed(origin)) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            if (cookies && !config.devMode() && config.allowedOrigins().contains(origin)) {
                headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            }
        }
    }

    /** A JSON response readable by an allowed browser origin; {@code retryAfter} > 0 adds {@code Retry-After}. */
    void reply(ChannelHandlerContext ctx, boolean keepAlive, int status, byte[] body, long retryAfter, String origin) {
        FullHttpResponse res = HttpReplies.response(status, body, keepAlive, retryAfter);
        decorate(res.headers(), origin);
        HttpReplies.write(ctx, keepAlive, res);
    }

    /** An error {@code {"error":{"code","message"}}} readable by an allowed browser origin, status from the code. */
    void error(ChannelHandlerContext ctx, boolean keepAlive, ErrorCode code, String message, String origin) {
        reply(ctx, keepAlive, code.status(), HttpReplies.errorBody(code, message), 0, origin);
    }

    /**
     * A request with another method than {@code allowed}: 400 {@code bad_request} (the code's one
     * status), with {@code Allow} naming the methods the endpoint answers. {@code body} is the
     * endpoint's error shape.
     */
    void wrongMethod(ChannelHandlerContext ctx, boolean keepAlive, HttpMethod allowed, byte[] body, String origin) {
        FullHttpResponse res = HttpReplies.response(ErrorCode.BAD_REQUEST.status(), body, keepAlive, 0);
        res.headers().set(HttpHeaderNames.ALLOW, allowed + ", " + HttpMethod.OPTIONS);
        decorate(res.headers(), origin);
        HttpReplies.write(ctx, keepAlive, res);
    }

    /** Answers an {@code OPTIONS} preflight: 204 with the allowed methods and headers, or 403. */
    void preflight(ChannelHandlerContext ctx, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            HttpReplies.error(ctx, false, ErrorCode.BAD_REQUEST, "a CORS preflight needs an Origin header");
            return;
        }
        if (!admit(ctx, origin, new QueryStringDecoder(req.uri()).rawPath())) {
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        FullHttpResponse res = HttpReplies.response(204, new byte[0], keepAlive, 0);
        res.headers().remove(HttpHeaderNames.CONTENT_TYPE);
        decorate(res.headers(), origin);
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization, Content-Type, Last-Event-ID, Cache-Control");
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE_SECONDS);
        HttpReplies.write(ctx, keepAlive, res);
    }
}
