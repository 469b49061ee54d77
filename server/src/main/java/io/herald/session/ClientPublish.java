package io.herald.session;

import io.herald.metrics.RateLimit;
import io.herald.auth.Claims;
import io.herald.config.NamespaceConfig;
import io.herald.engine.EngineOutcomeUnknownException;
import io.herald.engine.EngineUnavailableException;
import io.herald.engine.HookStore;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.hub.PublishGate;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Command;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.IdempotencyKey;
import io.herald.protocol.ProtocolException;
import io.herald.protocol.RawJson;
import io.herald.protocol.WebhookEvent;
import io.herald.webhook.WebhookFields;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's publish: the permission rule, the drain gate, the idempotency key and the engine call,
 * shared by the WebSocket {@code publish} command and {@code POST /publish}, so both transports obey
 * one rule. Stateless and thread-safe.
 *
 * <p>Every client publish goes under an idempotency key: the command's {@code idempotency_key}, or
 * one assigned here. The answer names it ({@code published} and the error alike), so a client whose
 * publish ended in {@code unknown_outcome} (or whose connection dropped before the answer) publishes
 * again with that key and is answered with the first result instead of publishing twice. A client's
 * key counts only for its own user: the engine stores it under the user id, so one user can never
 * make another user's publish look like a repeat.
 */
public final class ClientPublish {
    private static final Logger log = LoggerFactory.getLogger(ClientPublish.class);

    private ClientPublish() {
    }

    /**
     * A publish on its way.
     *
     * @param idempotencyKey the key as the client sees it (its own, or the one assigned)
     * @param result         the engine's result; fails when the engine failed (see {@link #failure})
     */
    public record Attempt(String idempotencyKey, CompletableFuture<PublishResult> result) {
    }

    /**
     * Publishes {@code cmd} as the user of {@code claims} ({@code clientId}: the connection, or the
     * request, as the publish proxy is told). In a namespace with {@code publish_proxy} the backend
     * decides instead of the claims, after the user-limited rule: nothing is published before its
     * answer, its {@code data} replaces the client's, and its refusal fails the attempt's result with
     * a {@link ProxyRefusal}.
     *
     * @throws ProtocolException {@code permission_denied}, or {@code internal} (temporary, with the
     *                           key) while the node shuts down; the attempt's result fails with
     *                           {@link ChannelLimitException} (counted here) when the channel is new and
     *                           the node is at {@code limits.max_channels}
     */
    public static Attempt publish(SessionServices services, Claims claims, String clientId, Command.Publish cmd)
            throws ProtocolException {
        ChannelName channel = cmd.channel();
        NamespaceConfig ns = services.config().namespace(channel.namespace());
        String key = cmd.idempotencyKey() != null ? cmd.idempotencyKey() : IdempotencyKey.random();
        if (ns.publishProxy()) {
            if (channel.isUserLimited() && !Access.canSubscribe(claims, channel, ns)) {
                throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "not allowed to publish to " + channel, cmd.id());
            }
            CompletableFuture<PublishResult> result = ProxyCalls.publish(services, clientId, claims.user(), channel,
                    cmd.event(), cmd.data(), cmd.id()).thenCompose(data -> {
                        try {
                            return toEngine(services, claims, cmd, ns, key, data);
                        } catch (ProtocolException e) {
                            return CompletableFuture.failedFuture(e);
                        }
                    });
            return new Attempt(key, result);
        }
        if (!Access.canPublish(claims, channel, cmd.event(), ns)) {
            String hint = ns.clientPublish() ? " (this namespace allows only client-* events from subscribers)" : "";
            throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "not allowed to publish to " + channel + hint, cmd.id());
        }
        return new Attempt(key, toEngine(services, claims, cmd, ns, key, cmd.data()));
    }

    /** The drain gate, then the engine: publishes {@code data} under the client's key. */
    private static CompletableFuture<PublishResult> toEngine(SessionServices services, Claims claims, Command.Publish cmd,
                                                             NamespaceConfig ns, String key, RawJson data)
            throws ProtocolException {
        ChannelName channel = cmd.channel();
        PublicationDraft draft = new PublicationDraft(cmd.event(), data, claims.user(), engineKey(claims.user(), key));
        PublishGate gate = services.hub().publishGate();
        if (!gate.tryEnter()) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "server is shutting down; publish again after reconnecting",
                    cmd.id(), true, key);
        }
        return services.engine().history().publish(channel, draft, ns)
                .whenComplete((r, error) -> {
                    gate.exit();
                    if (error == null && !r.duplicate()) {
                        services.metrics().publication();
                        HookStore hooks = services.engine().hooks();
                        if (hooks.wants(WebhookEvent.CLIENT_PUBLISH)) {
                            hooks.clientPublished(channel,
                                    WebhookFields.clientPublish(claims.user(), null, cmd.event(), cmd.data()));
                        }
                    } else if (ChannelLimitException.in(error) != null) {
                        services.metrics().rateLimited(RateLimit.MAX_CHANNELS);
                    }
                });
    }

    /**
     * The key the engine stores: the client's key under its user id (length-prefixed, so no pair of
     * user and key can spell another pair). Anonymous clients share the user id {@code ""}, which is
     * why assigned keys are unguessable.
     */
    static String engineKey(String user, String key) {
        return "u" + user.length() + ":" + user + ":" + key;
    }

    /**
     * The error a publish that failed in the engine is answered with, carrying its idempotency key:
     * {@code not_available} (temporary) when the engine could not be reached and nothing was
     * published; {@code unknown_outcome} when the engine got the publish but its answer did not come
     * back; {@code internal} otherwise.
     */
    public static ProtocolException failure(Throwable error, ChannelName channel, Long id, String key) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProxyRefusal r) {
            ProtocolException e = r.error();
            return new ProtocolException(e.code(), e.getMessage(), id, e.temporary(), key);
        }
        if (cause instanceof ProtocolException e) {
            return new ProtocolException(e.code(), e.getMessage(), id, e.temporary(), key);
        }
        if (cause instanceof ChannelLimitException) {
            return new ProtocolException(ErrorCode.LIMIT_EXCEEDED, cause.getMessage(), id, true, key);
        }
        if (cause instanceof EngineUnavailableException) {
            log.warn("publish to {} refused: {}", channel, cause.getMessage());
            return new ProtocolException(ErrorCode.NOT_AVAILABLE, "the engine is not reachable; nothing was published,"
                    + " publish again shortly", id, true, key);
        }
        if (cause instanceof EngineOutcomeUnknownException) {
            log.warn("publish to {} has an unknown outcome: {}", channel, cause.getMessage());
            return new ProtocolException(ErrorCode.UNKNOWN_OUTCOME, "the engine did not answer in time, so the publish may"
                    + " or may not have been published; publish again with this idempotency_key, which publishes at most once",
                    id, true, key);
        }
        log.warn("publish to {} failed", channel, cause);
        return new ProtocolException(ErrorCode.INTERNAL, "publish failed; try again", id, true, key);
    }
}
