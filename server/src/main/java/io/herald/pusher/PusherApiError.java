package io.herald.pusher;

import java.util.Locale;

/**
 * Why the Pusher HTTP API refused a request: the HTTP status Pusher answers with for it (its server
 * SDKs classify errors by status: pusher-http-java's {@code Result.Status}, the Ruby gem's error
 * classes) and the {@code outcome} label of {@code herald_pusher_api_requests_total}. The plain-text
 * body that goes with it is the request's own ({@link PusherApiException#getMessage()}).
 */
public enum PusherApiError {
    /** 400: a malformed request, an invalid parameter, or an {@code auth_key} no app has. */
    BAD_REQUEST(400),
    /** 401: a missing or wrong signature, version, timestamp or {@code body_md5}. */
    AUTHENTICATION(401),
    /** 403: over the app's request rate ({@code limits.api_rate}) or a node or cluster limit. */
    OVER_QUOTA(403),
    /** 404: no app has the id of {@code /apps/{id}}, or no such endpoint. */
    NOT_FOUND(404),
    /** 413: an event's {@code data} over 10 KB, or a request body over the cap. */
    TOO_LARGE(413),
    /** 500: the engine failed the request. */
    INTERNAL(500),
    /** 503: the node drains, the engine is unreachable, or too many of the app's requests are in flight. */
    UNAVAILABLE(503),
    /** 504: the engine did not answer; the request may or may not have taken effect. */
    UNKNOWN_OUTCOME(504);

    /** The {@code outcome} label of a request that succeeded. */
    public static final String OK_LABEL = "ok";

    private final int status;

    PusherApiError(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The metric label. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
