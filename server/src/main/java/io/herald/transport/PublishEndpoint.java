package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.engine.ChannelLimitException;
import io.herald.limits.KeyedRateLimiter;
import io.herald.protocol.Command;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.Frames;
import io.herald.protocol.ProtocolException;
import io.herald.session.ClientPublish;
import io.herald.session.RequestAuth;
import io.herald.session.SessionServices;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;

/**
 * {@code POST /publish}: a client publish for clients on SSE or polling. The body is the WebSocket
 * {@code publish} command, the rule is the WebSocket one ({@link ClientPublish}), and the answer is
 * the frame a WebSocket client gets ({@code published}, with the epoch, or {@code error}) under a
 * fitting HTTP status. Thread-safe.
 */
final class PublishEndpoint {
    private final SessionServices services;
    private final KeyedRateLimiter<String> perClient;
    private final Cors cors;

    PublishEndpoint(SessionServices services, KeyedRateLimiter<String> perClient, Cors cors) {
        this.services = services;
        this.perClient = perClient;
        this.cors = cors;
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!cors.admit(ctx, origin)) {
            return;
        }
        Reply reply = new Reply(ctx, HttpUtil.isKeepAlive(req), origin);
        if (!req.method().equals(HttpMethod.POST)) {
            services.metrics().error(ErrorCode.BAD_REQUEST);
            cors.wrongMethod(ctx, reply.keepAlive, HttpMethod.POST, Frames.error(null, ErrorCode.BAD_REQUEST,
                    "use POST for /publish"), origin);
            return;
        }
        String token;
        Command.Publish cmd;
        try {
            token = bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
            cmd = command(ByteBufUtil.getBytes(req.content()));
        } catch (ProtocolException e) {
            reply.error(e);
            return;
        }
        RequestAuth.claims(services, token).whenComplete((claims, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                reply.error(PollEndpoint.problem(error).withId(cmd.id()));
                return;
            }
            long wait = perClient.acquire(PollEndpoint.rateKey(claims, ctx));
            if (wait > 0) {
                services.metrics().rateLimited(RateLimit.COMMANDS);
                services.metrics().error(ErrorCode.TOO_MANY_REQUESTS);
                cors.reply(ctx, reply.keepAlive, ErrorCode.TOO_MANY_REQUESTS.status(), Frames.error(cmd.id(),
                        ErrorCode.TOO_MANY_REQUESTS, "more than "
                        + services.config().client().commandRate() + " requests per second; retry in " + wait + "s"),
                        wait, origin);
                return;
            }
            try {
                ClientPublish.Attempt attempt = ClientPublish.publish(services, claims, cmd);
                attempt.result().whenComplete((result, failure) -> ctx.executor().execute(() -> {
                    if (failure != null) {
                        reply.error(ClientPublish.failure(failure, cmd.channel(), cmd.id(), attempt.idempotencyKey()));
                    } else {
                        reply.send(Frames.published(cmd.id(), cmd.channel(), result.position().offset(),
                                result.position().epoch(), attempt.idempotencyKey()));
                    }
                }));
            } catch (ProtocolException e) {
                reply.error(e);
            }
        }));
    }

    /** The token of {@code Authorization: Bearer <jwt>}; null without the header (anonymous). */
    private static String bearer(String header) throws ProtocolException {
        if (header == null) {
            return null;
        }
        if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "expected header Authorization: Bearer <jwt>");
        }
        return header.substring(7).trim();
    }

    private static Command.Publish command(byte[] body) throws ProtocolException {
        if (body.length == 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the body must be a publish command:"
                    + " {\"type\":\"publish\",\"channel\":…,\"event\":…,\"data\":…}");
        }
        Command cmd = CommandParser.parse(body, 0, body.length);
        if (cmd instanceof Command.Publish p) {
            return p;
        }
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "the body must be a publish command"
                + " ({\"type\":\"publish\",…}); other commands need the WebSocket", CommandParser.peekId(body));
    }

    /** Writes the one answer of a request, as a protocol frame. */
    private final class Reply {
        final ChannelHandlerContext ctx;
        final boolean keepAlive;
        final String origin;

        Reply(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.origin = origin;
        }

        void send(byte[] frame) {
            send(200, frame);
        }

        void send(int status, byte[] frame) {
            cors.reply(ctx, keepAlive, status, frame, 0, origin);
        }

        void error(ProtocolException e) {
            services.metrics().error(e.code());
            send(e.code().status(), Frames.error(e.id(), e.code(), e.getMessage(), e.temporary(), e.idempotencyKey()));
        }
    }
}
