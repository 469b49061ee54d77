package io.herald.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.Command;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.Frames;
import io.herald.protocol.ProtocolException;
import io.herald.proxy.ProxyKind;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection does with a proxy's verdict on one of its commands, and the {@code rpc}
 * command, which is nothing but a proxy call. Called on the connection's thread.
 */
public final class ProxyCommands {
    private static final Logger log = LoggerFactory.getLogger(ProxyCommands.class);

    private ProxyCommands() {
    }

    /** The {@code rpc} command: the backend's answer through the rpc proxy, or {@code not_available} without one. */
    static CompletableFuture<Void> rpc(SessionContext session, Command.Rpc r) throws ProtocolException {
        SessionServices services = session.services();
        if (!services.proxy().has(ProxyKind.RPC)) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "this server has no rpc proxy (proxy.rpc.url)", r.id());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.onLoop(ProxyCalls.rpc(services, session.clientId(), session.claims().user(), r.method(), r.data(), r.id()),
                (data, error) -> {
                    try {
                        if (!session.isConnected()) {
                            return;
                        }
                        if (error == null) {
                            session.connection().send(Frames.rpc(r.id(), data));
                        } else {
                            refused(session, error, r.id());
                        }
                    } finally {
                        done.complete(null);
                    }
                });
        return done;
    }

    /**
     * An {@code rpc} command sent over HTTP ({@code POST /rpc}) by {@code requester}: completes with the
     * backend's {@code data}, or fails with a {@link ProxyRefusal} whose {@link ProxyRefusal#error()} is
     * the answer.
     *
     * @throws ProtocolException {@code not_available} when no rpc proxy is configured
     */
    public static CompletableFuture<JsonNode> rpc(SessionServices services, RequestAuth.Requester requester,
                                                  Command.Rpc r) throws ProtocolException {
        if (!services.proxy().has(ProxyKind.RPC)) {
            throw new ProtocolException(ErrorCode.NOT_AVAILABLE, "this server has no rpc proxy (proxy.rpc.url)", r.id());
        }
        return ProxyCalls.rpc(services, requester.client(), requester.claims().user(), r.method(), r.data(), r.id());
    }

    /**
     * A command the proxy refused: its error reply, or the end of the connection where the backend
     * said {@code disconnect}.
     */
    static void refused(SessionContext session, Throwable error, Long id) {
        ProxyRefusal refusal = ProxyRefusal.in(error);
        if (refusal == null) {
            log.error("connection {}: a proxy call failed unexpectedly", session.clientId(), error);
            session.sendError(id, ErrorCode.INTERNAL, "internal error");
        } else if (refusal.close() != null) {
            session.disconnect(refusal.close(), refusal.getMessage(), refusal.reconnect());
        } else {
            session.sendError(refusal.error().withId(id));
        }
    }
}
