package io.herald.transport;

import io.herald.metrics.RateLimit;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.limits.KeyedRateLimiter;
import io.herald.protocol.Command;
import io.herald.protocol.CommandParser;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.Frames;
import io.herald.protocol.ProtocolException;
import io.herald.proxy.ProxyKind;
import io.herald.session.ClientPublish;
import io.herald.session.ClientTransport;
import io.herald.session.Handshake;
import io.herald.session.ProxyCommands;
import io.herald.session.ProxyRefusal;
import io.herald.session.RequestAuth;
import io.herald.session.SessionServices;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.CompletableFuture;

/**
 * The commands clients on SSE or polling send over HTTP, one per {@code POST}: {@code /publish} (the
 * {@code publish} command) and {@code /rpc} (the {@code rpc} command). The body is the WebSocket
 * command, the rule is the WebSocket one ({@link ClientPublish}, the rpc proxy), and the answer is
 * the frame a WebSocket client gets ({@code published} with the epoch, {@code rpc}, or {@code error})
 * under a fitting HTTP status. Without {@code Authorization: Bearer}, the connect proxy (where
 * configured) says who the client is, from the headers it is given (a session cookie, say).
 * Thread-safe.
 */
final class CommandEndpoint {
    private final SessionServices services;
    private final KeyedRateLimiter<String> perClient;
    private final Cors cors;

    CommandEndpoint(SessionServices services, KeyedRateLimiter<String> perClient, Cors cors) {
        this.services = services;
        this.perClient = perClient;
        this.cors = cors;
    }

    /** {@code path} is {@code /publish} or {@code /rpc}. */
    void handle(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri) {
        String path = uri.rawPath();
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (!cors.admit(ctx, origin, path)) {
            return;
        }
        Reply reply = new Reply(ctx, HttpUtil.isKeepAlive(req), origin);
        if (!req.method().equals(HttpMethod.POST)) {
            services.metrics().error(ErrorCode.BAD_REQUEST);
            cors.wrongMethod(ctx, reply.keepAlive, HttpMethod.POST, Frames.error(null, ErrorCode.BAD_REQUEST,
                    "use POST for " + path), origin);
            return;
        }
        String token;
        Command cmd;
        try {
            token = bearer(req.headers().get(HttpHeaderNames.AUTHORIZATION));
            cmd = command(path, ByteBufUtil.getBytes(req.content()));
        } catch (ProtocolException e) {
            reply.error(e);
            return;
        }
        Handshake handshake = token == null && services.config().proxy().has(ProxyKind.CONNECT)
                ? WebSocketUpgrade.handshake(ctx, req, uri, ClientTransport.HTTP, services.config()) : null;
        RequestAuth.requester(services, token, handshake).whenComplete((who, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                reply.error(PollEndpoint.problem(error).withId(cmd.id()));
                return;
            }
            long wait = perClient.acquire(PollEndpoint.rateKey(who.claims(), ctx));
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
                if (cmd instanceof Command.Publish p) {
                    publish(reply, who, p);
                } else if (cmd instanceof Command.Rpc r) {
                    rpc(reply, who, r);
                }
            } catch (ProtocolException e) {
                reply.error(e);
            }
        }));
    }

    private void publish(Reply reply, RequestAuth.Requester who, Command.Publish cmd) throws ProtocolException {
        ClientPublish.Attempt attempt = ClientPublish.publish(services, who.claims(), who.client(), cmd);
        attempt.result().whenComplete((result, failure) -> reply.ctx.executor().execute(() -> {
            if (failure != null) {
                reply.error(ClientPublish.failure(failure, cmd.channel(), cmd.id(), attempt.idempotencyKey()));
            } else {
                reply.send(Frames.published(cmd.id(), cmd.channel(), result.position().offset(),
                        result.position().epoch(), attempt.idempotencyKey()));
            }
        }));
    }

    private void rpc(Reply reply, RequestAuth.Requester who, Command.Rpc cmd) throws ProtocolException {
        CompletableFuture<JsonNode> answer = ProxyCommands.rpc(services, who, cmd);
        answer.whenComplete((data, failure) -> reply.ctx.executor().execute(() -> {
            if (failure == null) {
                reply.send(Frames.rpc(cmd.id(), data));
                return;
            }
            ProxyRefusal refusal = ProxyRefusal.in(failure);
            reply.error(refusal != null ? refusal.error().withId(cmd.id())
                    : new ProtocolException(ErrorCode.INTERNAL, "rpc failed; try again", cmd.id()));
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

    /** The body's command, which must be the one of {@code path}. */
    private static Command command(String path, byte[] body) throws ProtocolException {
        boolean rpc = path.equals("/rpc");
        String shape = rpc ? "{\"type\":\"rpc\",\"method\":…,\"data\":…}" : "{\"type\":\"publish\",\"channel\":…,\"event\":…,\"data\":…}";
        if (body.length == 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the body must be " + (rpc ? "an rpc" : "a publish")
                    + " command: " + shape);
        }
        Command cmd = CommandParser.parse(body, 0, body.length);
        if (rpc ? cmd instanceof Command.Rpc : cmd instanceof Command.Publish) {
            return cmd;
        }
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "the body of " + path + " must be " + (rpc ? "an rpc" : "a publish")
                + " command (" + shape + "); other commands need the WebSocket", CommandParser.peekId(body));
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
