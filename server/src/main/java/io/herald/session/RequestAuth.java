package io.herald.session;

import io.herald.auth.AuthException;
import io.herald.auth.Claims;
import io.herald.config.NamespaceConfig;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Authentication and channel permission for the stateless HTTP requests of clients
 * ({@code /poll}, {@code /publish}, {@code /rpc}): the same authenticator, connect proxy, anonymous
 * rule and {@link Access} rules as a connection. Stateless and thread-safe.
 */
public final class RequestAuth {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RequestAuth.class);

    private RequestAuth() {
    }

    /**
     * Who made a request: its claims, and the client id the proxies are told (a new one per request:
     * an HTTP request is no connection).
     */
    public record Requester(Claims claims, String client) {
    }

    /**
     * The requester of a request with {@code token}; without one, the connect proxy's verdict on
     * {@code handshake} where it is given (a connect proxy is configured), else anonymous claims
     * where anonymous access is allowed. Fails with a {@link ProtocolException}: {@code unauthorized}
     * or {@code token_expired}; or the connect proxy's refusal ({@code unauthorized},
     * {@code not_available}, {@code too_many_requests}, or the backend's own error).
     */
    public static CompletableFuture<Requester> requester(SessionServices services, String token, Handshake handshake) {
        String client = ClientSession.newClientId();
        if ((token == null || token.isEmpty()) && handshake != null) {
            return ProxyCalls.connect(services, handshake, client, null).handle((admitted, error) -> {
                if (error == null) {
                    return new Requester(admitted.claims(), client);
                }
                ProxyRefusal r = ProxyRefusal.in(error);
                throw new CompletionException(r != null ? r.error() : error);
            });
        }
        return claims(services, token).thenApply(c -> new Requester(c, client));
    }

    /**
     * The claims of {@code token}; without one, anonymous claims where anonymous access is allowed.
     * Fails with a {@link ProtocolException}: {@code unauthorized}, or {@code token_expired}.
     */
    public static CompletableFuture<Claims> claims(SessionServices services, String token) {
        if (token == null || token.isEmpty()) {
            return services.config().allowAnonymous()
                    ? CompletableFuture.completedFuture(Claims.anonymous())
                    : CompletableFuture.failedFuture(new ProtocolException(ErrorCode.UNAUTHORIZED, "a token is required"));
        }
        return services.authenticator().authenticate(token).handle((claims, error) -> {
            if (error == null) {
                return claims;
            }
            throw new CompletionException(authError(error));
        });
    }

    /** A token the authenticator refused, as a request's error: {@code token_expired} or {@code unauthorized}. */
    static ProtocolException authError(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        ErrorCode code = cause instanceof AuthException ae && ae.reason() == AuthException.Reason.EXPIRED
                ? ErrorCode.TOKEN_EXPIRED : ErrorCode.UNAUTHORIZED;
        return new ProtocolException(code, authProblem(cause));
    }

    /** Why a token was refused, for the client; never the token itself. */
    static String authProblem(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof AuthException ae) {
            return ae.getMessage();
        }
        log.warn("token verification failed unexpectedly", cause);
        return "token could not be verified";
    }

    /**
     * What a stream ({@code /sse}, {@code /poll}) may join: the channels refused, in request order,
     * and the subscribe proxy's {@code disconnect} answer when one ended the request (else null).
     */
    public record StreamAccess(List<ChannelRefusal> refused, ProxyRefusal disconnect) {
    }

    /**
     * The channels of {@code channels} the claims may not subscribe to (each refused with
     * {@code permission_denied}), with the channels of {@code subscribe_proxy} namespaces asked of the
     * subscribe proxy instead (after the user-limited rule), all at once. A proxy's refusal refuses
     * its channel alone: {@code not_available} when it was temporary (a failure, an error the backend
     * marks temporary), else {@code permission_denied} with the backend's message. Completes on the
     * proxy client's threads, or at once when no channel needs the proxy.
     */
    public static CompletableFuture<StreamAccess> streamAccess(SessionServices services, Claims claims, String client,
                                                               List<ChannelName> channels) {
        List<CompletableFuture<ChannelRefusal>> verdicts = new ArrayList<>();
        ProxyRefusal[] ended = new ProxyRefusal[1];
        for (ChannelName channel : channels) {
            NamespaceConfig ns = services.config().namespace(channel.namespace());
            boolean asked = ns.subscribeProxy() && (!channel.isUserLimited() || Access.canSubscribe(claims, channel, ns));
            if (!asked) {
                verdicts.add(CompletableFuture.completedFuture(Access.canSubscribe(claims, channel, ns) ? null
                        : new ChannelRefusal(channel.value(), ErrorCode.PERMISSION_DENIED, "not allowed to use channel " + channel)));
                continue;
            }
            verdicts.add(ProxyCalls.subscribe(services, client, claims.user(), channel, null, null).handle((r, error) -> {
                if (error == null) {
                    return null;
                }
                ProxyRefusal refusal = ProxyRefusal.in(error);
                if (refusal == null) {
                    return new ChannelRefusal(channel.value(), ErrorCode.INTERNAL, "the channel could not be joined");
                }
                if (refusal.close() != null) {
                    synchronized (ended) {
                        ended[0] = ended[0] == null ? refusal : ended[0];
                    }
                }
                return refusal.error().temporary()
                        ? new ChannelRefusal(channel.value(), ErrorCode.NOT_AVAILABLE, refusal.getMessage())
                        : new ChannelRefusal(channel.value(), ErrorCode.PERMISSION_DENIED, refusal.getMessage());
            }));
        }
        return CompletableFuture.allOf(verdicts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<ChannelRefusal> refused = new ArrayList<>();
            verdicts.forEach(f -> {
                if (f.join() != null) {
                    refused.add(f.join());
                }
            });
            synchronized (ended) {
                return new StreamAccess(refused, ended[0]);
            }
        });
    }
}
