package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.auth.Claims;
import io.herald.engine.ChannelLimitException;
import io.herald.limits.KeyedRateLimiter;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import io.herald.proxy.ProxyKind;
import io.herald.session.ClientTransport;
import io.herald.session.Handshake;
import io.herald.session.Poll;
import io.herald.session.RequestAuth;
import io.herald.session.SessionServices;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /poll}: checks the request, authenticates it, and parks a {@link Poll} on the hub until
 * it answers. No thread waits and nothing is kept between requests. Thread-safe.
 */
final class PollEndpoint {
    /** Seconds a poll waits when the request names no {@code timeout}. */
    static final int DEFAULT_TIMEOUT_SECONDS = 25;
    /** Longest wait; below the 60 s idle timeout of common proxies and load balancers. */
    static final int MAX_TIMEOUT_SECONDS = 55;

    private final SessionServices services;
    private final KeyedRateLimiter<String> perClient;
    private final Cors cors;
    private final Set<Poll> parked = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    PollEndpoint(SessionServices services, KeyedRateLimiter<String> perClient, Cors cors) {
        this.services = services;
        this.perClient = perClient;
        this.cors = cors;
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!cors.admit(ctx, origin, "/poll")) {
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.method().equals(HttpMethod.GET)) {
            cors.wrongMethod(ctx, keepAlive, HttpMethod.GET, HttpReplies.errorBody(ErrorCode.BAD_REQUEST, "use GET for /poll"),
                    origin);
            return;
        }
        StreamQuery query;
        int timeout;
        try {
            query = StreamQuery.parse(uri.parameters(), null, services.config().client().maxSubscriptions());
            timeout = timeoutSeconds(uri.parameters());
        } catch (ProtocolException e) {
            fail(ctx, keepAlive, e, origin);
            return;
        }
        Handshake handshake = query.token() == null && services.config().proxy().has(ProxyKind.CONNECT)
                ? WebSocketUpgrade.handshake(ctx, req, uri, ClientTransport.POLL, services.config()) : null;
        RequestAuth.requester(services, query.token(), handshake).whenComplete((who, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                fail(ctx, keepAlive, problem(error), origin);
                return;
            }
            Claims claims = who.claims();
            long wait = perClient.acquire(rateKey(claims, ctx));
            if (wait > 0) {
                services.metrics().rateLimited(RateLimit.COMMANDS);
                services.metrics().error(ErrorCode.TOO_MANY_REQUESTS);
                cors.reply(ctx, keepAlive, ErrorCode.TOO_MANY_REQUESTS.status(), HttpReplies.errorBody(
                        ErrorCode.TOO_MANY_REQUESTS, "more than " + services.config().client().commandRate()
                                + " requests per second; retry in " + wait + "s"), wait, origin);
                return;
            }
            RequestAuth.streamAccess(services, claims, who.client(), query.channels()).whenComplete((access, failure) ->
                    ctx.executor().execute(() -> {
                        if (failure != null) {
                            fail(ctx, keepAlive, problem(failure), origin);
                            return;
                        }
                        if (access.disconnect() != null) {
                            fail(ctx, keepAlive, access.disconnect().error(), origin);
                            return;
                        }
                        // a channel the token (or the subscribe proxy) does not allow is refused alone, unless it allows none
                        List<ChannelRefusal> refused = access.refused();
                        if (refused.size() == query.channels().size()) {
                            fail(ctx, keepAlive, new ProtocolException(refused.getFirst().code(), refused.getFirst().message()),
                                    origin);
                            return;
                        }
                        park(ctx, keepAlive, query, draining ? 0 : timeout * 1000L, origin, refused, claims.expiresAt());
                    }));
        }));
    }

    private void park(ChannelHandlerContext ctx, boolean keepAlive, StreamQuery query, long timeoutMillis, String origin,
                      List<ChannelRefusal> refused, long expires) {
        Answer answer = new Answer(ctx, keepAlive, origin);
        Poll poll = new Poll(services, query.channels(), query.since(), timeoutMillis, ctx.executor(), answer, refused,
                expires);
        answer.poll = poll;
        parked.add(poll);
        ctx.channel().closeFuture().addListener(answer.onClose);
        poll.start();
    }

    /**
     * Answers every parked poll now, and new ones at once (the node is draining), and waits up to
     * {@code waitMillis} until the answers are written, so closing the event loops afterwards does not
     * cut them off (a client would then retry its GET against a closed port).
     */
    void drain(long waitMillis) throws InterruptedException {
        draining = true;
        parked.forEach(Poll::finishNow);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!parked.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Delivers a poll's answer on its connection; owned by the connection's loop. */
    private final class Answer implements java.util.function.Consumer<byte[]> {
        final ChannelHandlerContext ctx;
        final boolean keepAlive;
        final String origin;
        Poll poll;
        final ChannelFutureListener onClose = f -> {
            parked.remove(poll);
            poll.cancel();
        };

        Answer(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.origin = origin;
        }

        @Override
        public void accept(byte[] body) {
            ctx.channel().closeFuture().removeListener(onClose);
            ChannelLimitException full = body == null ? ChannelLimitException.in(poll.failure()) : null;
            if (full != null) {
                services.metrics().error(ErrorCode.LIMIT_EXCEEDED);
                cors.error(ctx, keepAlive, ErrorCode.LIMIT_EXCEEDED, full.getMessage(), origin);
            } else if (body == null) {
                services.metrics().error(ErrorCode.INTERNAL);
                cors.error(ctx, keepAlive, ErrorCode.INTERNAL, "history could not be read; poll again", origin);
            } else {
                cors.reply(ctx, keepAlive, 200, body, 0, origin);
            }
            parked.remove(poll); // after the answer is written: the drain waits for this
        }
    }

    private void fail(ChannelHandlerContext ctx, boolean keepAlive, ProtocolException e, String origin) {
        services.metrics().error(e.code());
        cors.error(ctx, keepAlive, e.code(), e.getMessage(), origin);
    }

    /** Seconds to wait: default {@value #DEFAULT_TIMEOUT_SECONDS}, capped at {@value #MAX_TIMEOUT_SECONDS}. */
    static int timeoutSeconds(Map<String, List<String>> params) throws ProtocolException {
        String text = StreamQuery.single(params, "timeout");
        if (text == null) {
            return DEFAULT_TIMEOUT_SECONDS;
        }
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "timeout must be a whole number of seconds (0-"
                    + MAX_TIMEOUT_SECONDS + ")");
        }
        return Math.min(Integer.parseInt(text), MAX_TIMEOUT_SECONDS);
    }

    /** Requests are counted per user, and per IP address for anonymous ones. */
    static String rateKey(Claims claims, ChannelHandlerContext ctx) {
        if (!claims.isAnonymous()) {
            return "user:" + claims.user();
        }
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? "ip:" + a.getAddress().getHostAddress() : "ip:" + ctx.channel().remoteAddress();
    }

    static ProtocolException problem(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof ProtocolException pe ? pe
                : new ProtocolException(ErrorCode.INTERNAL, "token could not be verified; try again");
    }
}
