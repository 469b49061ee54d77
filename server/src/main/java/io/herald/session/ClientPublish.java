package io.herald.session;

import io.herald.auth.Claims;
import io.herald.config.NamespaceConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.hub.PublishGate;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Command;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import java.util.concurrent.CompletableFuture;

/**
 * A client's publish: the permission rule, the drain gate and the engine call, shared by the
 * WebSocket {@code publish} command and {@code POST /publish}, so both transports obey one rule.
 * Stateless and thread-safe.
 */
public final class ClientPublish {
    private ClientPublish() {
    }

    /**
     * Publishes {@code cmd} as the user of {@code claims}.
     *
     * @return the engine's result; fails when the engine failed, with {@link ChannelLimitException}
     *         (counted here) when the channel is new and the node is at {@code limits.max_channels}
     * @throws ProtocolException {@code permission_denied}, or {@code internal} (temporary) while the
     *                           node shuts down
     */
    public static CompletableFuture<PublishResult> publish(SessionServices services, Claims claims, Command.Publish cmd)
            throws ProtocolException {
        ChannelName channel = cmd.channel();
        NamespaceConfig ns = services.config().namespace(channel.namespace());
        if (!Access.canPublish(claims, channel, cmd.event(), ns)) {
            String hint = ns.clientPublish() ? " (this namespace allows only client-* events from subscribers)" : "";
            throw new ProtocolException(ErrorCode.PERMISSION_DENIED, "not allowed to publish to " + channel + hint, cmd.id());
        }
        PublicationDraft draft = new PublicationDraft(cmd.event(), cmd.data(), claims.user(), null);
        PublishGate gate = services.hub().publishGate();
        if (!gate.tryEnter()) {
            throw new ProtocolException(ErrorCode.INTERNAL, "server is shutting down; publish again after reconnecting", cmd.id());
        }
        return services.engine().history().publish(channel, draft, ns).whenComplete((result, error) -> {
            gate.exit();
            if (error == null) {
                services.metrics().publication();
            } else if (ChannelLimitException.in(error) != null) {
                services.metrics().rateLimited("max_channels");
            }
        });
    }
}
