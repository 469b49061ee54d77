package io.herald.sdk;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every error word this SDK reports, in one place: the protocol's codes (PROTOCOL.md 1.1,
 * "Errors"), each with its one HTTP status, and the SDK's own codes for failures Herald did not
 * answer (no protocol status). The two groups are disjoint; {@link #isProtocol()} tells them apart.
 */
public enum HeraldErrorCode {
    BAD_REQUEST("bad_request", 400),
    UNAUTHORIZED("unauthorized", 401),
    TOKEN_EXPIRED("token_expired", 401),
    PERMISSION_DENIED("permission_denied", 403),
    UNKNOWN_CHANNEL("unknown_channel", 400),
    LIMIT_EXCEEDED("limit_exceeded", 429),
    TOO_MANY_REQUESTS("too_many_requests", 429),
    MESSAGE_TOO_LARGE("message_too_large", 413),
    ALREADY_SUBSCRIBED("already_subscribed", 400),
    NOT_SUBSCRIBED("not_subscribed", 400),
    NOT_FOUND("not_found", 404),
    /** 503: nothing was done; the same call may succeed later. */
    NOT_AVAILABLE("not_available", 503),
    /** 504: the call reached the engine but its answer did not come back; retry a publish with the same key. */
    UNKNOWN_OUTCOME("unknown_outcome", 504),
    INTERNAL("internal", 500),

    /** SDK: no answer (connection refused or reset, the per-request timeout). */
    NETWORK_ERROR("network_error", 0),
    /** SDK: the retry deadline passed; the exception's cause holds the last failure. */
    DEADLINE_EXCEEDED("deadline_exceeded", 0),
    /** SDK: an HTTP error answer that names no Herald error code (a proxy's 502, …). */
    HTTP_ERROR("http_error", 0),
    /** SDK: an answer this SDK cannot read (not JSON, a missing field, over the size cap). */
    BAD_RESPONSE("bad_response", 0),
    /** SDK: more calls waiting for a free request slot than the client allows. */
    QUEUE_FULL("queue_full", 0),
    /** SDK (subscriber): a command did not get its reply in time. */
    TIMEOUT("timeout", 0),
    /** SDK (subscriber): the connection ended while a command waited; it may or may not have been applied. */
    CONNECTION_LOST("connection_lost", 0),
    /** SDK (subscriber): the client was closed. */
    CLIENT_CLOSED("client_closed", 0);

    private static final Map<String, HeraldErrorCode> BY_WORD = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(HeraldErrorCode::word, Function.identity()));

    private final String word;
    private final int status;

    HeraldErrorCode(String word, int status) {
        this.word = word;
        this.status = status;
    }

    /** The word on the wire, e.g. {@code bad_request}. */
    public String word() {
        return word;
    }

    /** The HTTP status the protocol gives this code; 0 for the SDK's own codes. */
    public int httpStatus() {
        return status;
    }

    /** True for the protocol's codes, false for the SDK's own. */
    public boolean isProtocol() {
        return status != 0;
    }

    /** The protocol code of a wire word; empty for a word outside the protocol (or an SDK word). */
    public static Optional<HeraldErrorCode> ofProtocolWord(String word) {
        HeraldErrorCode code = word == null ? null : BY_WORD.get(word);
        return code != null && code.isProtocol() ? Optional.of(code) : Optional.empty();
    }

    @Override
    public String toString() {
        return word;
    }
}
