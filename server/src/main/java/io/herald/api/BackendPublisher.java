package io.herald.api;

import io.herald.metrics.RateLimit;
import io.herald.config.HeraldConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.Engine;
import io.herald.engine.EngineOutcomeUnknownException;
import io.herald.engine.EngineUnavailableException;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.hub.PublishGate;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.EventName;
import io.herald.protocol.IdempotencyKey;
import io.herald.protocol.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one way a backend's publication enters the engine: the server API's {@code publish} and
 * {@code broadcast}, and the PostgreSQL outbox reader. It holds the rules a backend publication
 * obeys (channel name, event name, data size, idempotency key, the drain gate, the namespace's
 * settings, {@code limits.max_channels} through the engine) so that both paths apply the same ones.
 *
 * <p>Failure contract: the static checks throw {@link ApiException} for a publication that can never
 * be published as given; a future from {@link #publish} fails only for reasons that may pass (the
 * node drains, the engine is unreachable or did not answer, a limit is reached), with the engine's
 * exception or an {@link ApiException}; {@link #classify} turns either into the answer's error.
 * Thread-safe; never blocks.
 */
public final class BackendPublisher {
    /** Largest {@code data} of a backend publication in bytes of UTF-8: the server API's body limit. */
    public static final int MAX_DATA_BYTES = 1024 * 1024;

    private final HeraldConfig config;
    private final Engine engine;
    private final PublishGate gate;
    private final HeraldMetrics metrics;

    public BackendPublisher(HeraldConfig config, Engine engine, PublishGate gate, HeraldMetrics metrics) {
        this.config = config;
        this.engine = engine;
        this.gate = gate;
        this.metrics = metrics;
    }

    /** {@code value} as a channel name, or {@code bad_request} saying why it is not one. */
    public static ChannelName channel(String value) throws ApiException {
        String problem = ChannelName.problem(value);
        if (problem != null) {
            throw ApiException.badRequest("invalid channel: " + problem);
        }
        return new ChannelName(value);
    }

    /** {@code type} when it is a usable event name (not reserved), else {@code bad_request}. */
    public static String eventType(String type) throws ApiException {
        String problem = EventName.problem(type);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        return type;
    }

    /** A caller's idempotency key when valid, else {@code bad_request}. */
    public static String idempotencyKey(String given) throws ApiException {
        String problem = IdempotencyKey.problem(given);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        return given;
    }

    /**
     * {@code json} as publication data: {@code message_too_large} past {@link #MAX_DATA_BYTES},
     * {@code bad_request} when it is not one JSON value within the wire's limits (nesting depth).
     */
    public static RawJson data(String json) throws ApiException {
        int bytes = json.length() > MAX_DATA_BYTES ? MAX_DATA_BYTES + 1 : json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_DATA_BYTES) {
            throw tooLarge();
        }
        try {
            return RawJson.parse(json);
        } catch (IOException e) {
            throw ApiException.badRequest("data is not a JSON value Herald can carry: " + e.getMessage());
        }
    }

    /** The error of data over {@link #MAX_DATA_BYTES}. */
    public static ApiException tooLarge() {
        return new ApiException(ErrorCode.MESSAGE_TOO_LARGE, "data is larger than " + MAX_DATA_BYTES + " bytes");
    }

    /**
     * Publishes one checked publication under {@code key}, through the drain gate: refused with
     * {@code not_available} once the node drains. A repeated key completes with the first result.
     */
    public CompletableFuture<PublishResult> publish(ChannelName ch, String type, RawJson data, String key) {
        return publish(ch, type, data, key, null);
    }

    /**
     * {@link #publish} that the connection whose client id is {@code excludeClient} does not receive
     * (null: every subscriber does); the Pusher HTTP API's {@code socket_id}.
     */
    public CompletableFuture<PublishResult> publish(ChannelName ch, String type, RawJson data, String key,
                                                    String excludeClient) {
        if (!gate.tryEnter()) {
            return CompletableFuture.failedFuture(draining());
        }
        return publishAdmitted(ch, new PublicationDraft(type, data, null, key, excludeClient)).whenComplete((r, e) -> gate.exit());
    }

    /** Admits one batch of publishes through the drain gate; a true return must be paired with {@link #exit}. */
    boolean enter() {
        return gate.tryEnter();
    }

    void exit() {
        gate.exit();
    }

    /** The error of a publish refused because the node drains. */
    static ApiException draining() {
        return new ApiException(ErrorCode.NOT_AVAILABLE, "this node is shutting down; publish again shortly");
    }

    /** {@link #publish} for a caller that has entered the gate ({@link #enter}). */
    CompletableFuture<PublishResult> publishAdmitted(ChannelName ch, String type, RawJson data, String key) {
        return publishAdmitted(ch, new PublicationDraft(type, data, null, key));
    }

    private CompletableFuture<PublishResult> publishAdmitted(ChannelName ch, PublicationDraft draft) {
        return engine.history().publish(ch, draft, config.namespace(ch.namespace()))
                .whenComplete((r, e) -> {
                    if (e != null && ChannelLimitException.in(e) != null) {
                        metrics.rateLimited(RateLimit.MAX_CHANNELS);
                    } else if (r != null && !r.duplicate()) {
                        metrics.publication();
                    }
                });
    }

    /**
     * The error a failed publish (or other engine request) is answered with: 503 {@code
     * not_available} when the engine could not be reached and nothing was done; 504 {@code
     * unknown_outcome} when the engine got the request but its answer did not come back, so it may
     * have been applied (a publish is then retried with its idempotency key); 429 {@code
     * limit_exceeded} for {@code limits.max_channels}; 500 {@code internal} when the engine failed it.
     */
    public static ApiException classify(Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof ApiException e) {
            return e;
        }
        if (cause instanceof ChannelLimitException) {
            return new ApiException(ErrorCode.LIMIT_EXCEEDED, cause.getMessage());
        }
        if (cause instanceof EngineUnavailableException) {
            return new ApiException(ErrorCode.NOT_AVAILABLE, "the engine is not reachable; nothing was done, retry shortly");
        }
        if (cause instanceof EngineOutcomeUnknownException) {
            return new ApiException(ErrorCode.UNKNOWN_OUTCOME, "the engine did not answer in time, so the"
                    + " request may or may not have taken effect; retry it (a publish with the same idempotency_key,"
                    + " which publishes at most once)");
        }
        return new ApiException(ErrorCode.INTERNAL, "the engine could not complete the request; try again");
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
