package io.herald.session;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.auth.AuthException;
import io.herald.auth.Claims;
import io.herald.protocol.ChannelName;
import io.herald.protocol.CloseCode;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.ProtocolException;
import io.herald.protocol.RawJson;
import io.herald.proxy.ProxyAnswer;
import io.herald.proxy.ProxyKind;
import io.herald.proxy.ProxyOutcome;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The five proxy calls as the protocol words them: each builds its request body, and turns the
 * backend's answer into the result the session goes on with, or a {@link ProxyRefusal} (the failed
 * future's cause) saying what the client is told. The failure mapping lives here once: a failure is
 * {@code not_available} (temporary; a connect: 4002), a 4xx without the answer shape
 * {@code permission_denied} (a connect: 4003), an {@code error} answer the client's error, a
 * {@code disconnect} answer the end of the connection, and a kind at its pending-call cap
 * {@code too_many_requests} (a connect: 4008). Stateless and thread-safe; futures complete on the
 * proxy client's threads.
 */
final class ProxyCalls {

    /** A connection the connect proxy let in: its claims, and {@code data} for {@code connected.data} (or null). */
    record Admission(Claims claims, JsonNode data) {
    }

    private ProxyCalls() {
    }

    /** {@code {"client","transport","remote_addr","headers","query","data"?}} → the claims a token would carry. */
    static CompletableFuture<Admission> connect(SessionServices services, Handshake h, String clientId, RawJson data) {
        byte[] body = JsonCodec.object(g -> {
            g.writeStringField("client", clientId);
            g.writeStringField("transport", h.transport().wire());
            g.writeStringField("remote_addr", h.remoteAddr());
            writeStrings(g, "headers", h.headers());
            writeStrings(g, "query", h.query());
            if (data != null) {
                g.writeFieldName("data");
                data.write(g);
            }
        });
        return services.proxy().call(ProxyKind.CONNECT, body, h.headers(), ProxyCalls::claimsProblem)
                .thenApply(ProxyCalls::admission);
    }

    /** {@code {"client","user"}} → the new {@code expires} (epoch seconds). A refusal without close: try again. */
    static CompletableFuture<Long> refresh(SessionServices services, String clientId, String user) {
        byte[] body = JsonCodec.object(g -> {
            g.writeStringField("client", clientId);
            g.writeStringField("user", user);
        });
        return services.proxy().call(ProxyKind.REFRESH, body, Map.of(), r -> expiresOf(r) == null
                ? "\"expires\" must be a future time in epoch seconds" : null).thenApply(ProxyCalls::expires);
    }

    /** {@code {"client","user","channel","data"?}} → {@code {"info"?,"data"?}}. */
    static CompletableFuture<ObjectNode> subscribe(SessionServices services, String clientId, String user,
                                                   ChannelName channel, RawJson data, Long id) {
        byte[] body = JsonCodec.object(g -> {
            g.writeStringField("client", clientId);
            g.writeStringField("user", user);
            g.writeStringField("channel", channel.value());
            if (data != null) {
                g.writeFieldName("data");
                data.write(g);
            }
        });
        return command(services, ProxyKind.SUBSCRIBE, body, id, r -> r.hasNonNull("info") && !r.get("info").isObject()
                ? "\"info\" must be an object" : null);
    }

    /** {@code {"client","user","channel","event","data"}} → the data to publish: the backend's, else the client's. */
    static CompletableFuture<RawJson> publish(SessionServices services, String clientId, String user, ChannelName channel,
                                              String event, RawJson data, Long id) {
        byte[] body = JsonCodec.object(g -> {
            g.writeStringField("client", clientId);
            g.writeStringField("user", user);
            g.writeStringField("channel", channel.value());
            g.writeStringField("event", event);
            g.writeFieldName("data");
            data.write(g);
        });
        return command(services, ProxyKind.PUBLISH, body, id, r -> {
            try {
                replacedData(r);
                return null;
            } catch (IOException e) {
                return "\"data\" cannot be published: " + e.getMessage();
            }
        }).thenApply(r -> {
            try {
                RawJson replaced = replacedData(r);
                return replaced != null ? replaced : data;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // checked by the call already
            }
        });
    }

    /** {@code {"client","user","method","data"}} → the backend's {@code data} (null when it gave none). */
    static CompletableFuture<JsonNode> rpc(SessionServices services, String clientId, String user, String method,
                                           RawJson data, Long id) {
        byte[] body = JsonCodec.object(g -> {
            g.writeStringField("client", clientId);
            g.writeStringField("user", user);
            g.writeStringField("method", method);
            g.writeFieldName("data");
            if (data != null) {
                data.write(g);
            } else {
                g.writeNull();
            }
        });
        return command(services, ProxyKind.RPC, body, id, r -> null).thenApply(r -> r.get("data"));
    }

    /** The publish result's {@code data} as publication data (under the wire's limits), or null when it has none. */
    private static RawJson replacedData(ObjectNode result) throws IOException {
        JsonNode replaced = result.get("data");
        return replaced == null ? null : RawJson.parse(JsonCodec.MAPPER.writeValueAsString(replaced));
    }

    private static CompletableFuture<ObjectNode> command(SessionServices services, ProxyKind kind, byte[] body, Long id,
                                                         java.util.function.Function<ObjectNode, String> resultProblem) {
        return services.proxy().call(kind, body, Map.of(), resultProblem).thenApply(a -> commandResult(kind, a, id));
    }

    /** The failure mapping of a command's call. */
    private static ObjectNode commandResult(ProxyKind kind, ProxyAnswer answer, Long id) {
        return switch (answer) {
            case ProxyAnswer.Result r -> r.result();
            case ProxyAnswer.Error e -> throw refused(ProxyRefusal.command(
                    new ProtocolException(e.code(), e.message(), id, e.temporary(), null)));
            case ProxyAnswer.Disconnect d -> throw refused(new ProxyRefusal(
                    new ProtocolException(ErrorCode.UNAUTHORIZED, d.reason(), id), d.code(), d.reconnect(), false));
            case ProxyAnswer.Refused r -> throw refused(ProxyRefusal.command(new ProtocolException(
                    ErrorCode.PERMISSION_DENIED, "refused by the application", id)));
            case ProxyAnswer.Failed f -> throw refused(ProxyRefusal.command(unavailable(kind, f, id)));
        };
    }

    private static ProtocolException unavailable(ProxyKind kind, ProxyAnswer.Failed f, Long id) {
        if (f.outcome() == ProxyOutcome.OVERLOADED) {
            return new ProtocolException(ErrorCode.TOO_MANY_REQUESTS, "too many " + kind.key()
                    + " calls are waiting for the application; retry shortly", id, true, null);
        }
        return new ProtocolException(ErrorCode.NOT_AVAILABLE, "the application did not answer (" + kind.key()
                + " proxy: " + f.outcome().label() + "); nothing was done, retry shortly", id, true, null);
    }

    /** The failure mapping of a connect: every refusal closes (or, on HTTP, refuses the request). */
    private static Admission admission(ProxyAnswer answer) {
        return switch (answer) {
            case ProxyAnswer.Result r -> {
                try {
                    yield new Admission(Claims.fromProxyResult(r.result()), r.result().get("data"));
                } catch (AuthException e) {
                    // the call checked the shape (claimsProblem): only an expires in the past is left
                    throw refused(new ProxyRefusal(new ProtocolException(ErrorCode.UNAUTHORIZED, e.getMessage()),
                            CloseCode.UNAUTHORIZED, false, false));
                }
            }
            case ProxyAnswer.Error e -> {
                CloseCode close = e.temporary() ? CloseCode.INTERNAL_ERROR : CloseCode.UNAUTHORIZED;
                throw refused(new ProxyRefusal(new ProtocolException(e.code(), e.message(), null, e.temporary(), null),
                        close, close.reconnect(), true));
            }
            case ProxyAnswer.Disconnect d -> throw refused(new ProxyRefusal(
                    new ProtocolException(ErrorCode.UNAUTHORIZED, d.reason()), d.code(), d.reconnect(), false));
            case ProxyAnswer.Refused r -> throw refused(new ProxyRefusal(
                    new ProtocolException(ErrorCode.UNAUTHORIZED, "refused by the application"),
                    CloseCode.UNAUTHORIZED, false, false));
            case ProxyAnswer.Failed f -> throw refused(connectFailure(f));
        };
    }

    private static ProxyRefusal connectFailure(ProxyAnswer.Failed f) {
        if (f.outcome() == ProxyOutcome.OVERLOADED) {
            return new ProxyRefusal(unavailable(ProxyKind.CONNECT, f, null), CloseCode.CONNECTION_LIMIT, true, false);
        }
        return new ProxyRefusal(unavailable(ProxyKind.CONNECT, f, null), CloseCode.INTERNAL_ERROR, true, false);
    }

    /** A refresh: the new expiry, a close, or (close null) nothing decided, to be tried again. */
    private static Long expires(ProxyAnswer answer) {
        return switch (answer) {
            case ProxyAnswer.Result r -> {
                Long expires = expiresOf(r.result());
                if (expires == null) {
                    // checked by the call; only a clock that moved past it since is left: try again
                    throw refused(ProxyRefusal.command(unavailable(ProxyKind.REFRESH,
                            new ProxyAnswer.Failed(ProxyOutcome.MALFORMED, "expires passed"), null)));
                }
                yield expires;
            }
            case ProxyAnswer.Error e -> throw refused(e.temporary()
                    ? ProxyRefusal.command(new ProtocolException(e.code(), e.message(), null, true, null))
                    : new ProxyRefusal(new ProtocolException(e.code(), e.message()), CloseCode.UNAUTHORIZED, false, false));
            case ProxyAnswer.Disconnect d -> throw refused(new ProxyRefusal(
                    new ProtocolException(ErrorCode.UNAUTHORIZED, d.reason()), d.code(), d.reconnect(), false));
            case ProxyAnswer.Refused r -> throw refused(new ProxyRefusal(new ProtocolException(ErrorCode.UNAUTHORIZED,
                    "refresh refused by the application"), CloseCode.UNAUTHORIZED, false, false));
            case ProxyAnswer.Failed f -> throw refused(ProxyRefusal.command(unavailable(ProxyKind.REFRESH, f, null)));
        };
    }

    /** What is wrong with a connect result's claims, or null (an {@code expires} in the past is a refusal, not a fault). */
    private static String claimsProblem(ObjectNode result) {
        try {
            Claims.fromProxyResult(result);
            return null;
        } catch (AuthException e) {
            return e.reason() == AuthException.Reason.EXPIRED ? null : e.getMessage();
        }
    }

    /** A refresh result's {@code expires} when it is a future time in epoch seconds, else null. */
    private static Long expiresOf(ObjectNode result) {
        JsonNode e = result.get("expires");
        boolean valid = e != null && e.isIntegralNumber() && e.canConvertToLong()
                && e.longValue() > System.currentTimeMillis() / 1000 && e.longValue() < Long.MAX_VALUE / 2000;
        return valid ? e.longValue() : null;
    }

    private static CompletionException refused(ProxyRefusal r) {
        return new CompletionException(r);
    }

    private static void writeStrings(JsonGenerator g, String field, Map<String, String> values) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : values.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
