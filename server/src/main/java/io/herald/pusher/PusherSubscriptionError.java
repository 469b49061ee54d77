package io.herald.pusher;

import java.util.Locale;

/**
 * Why a subscription was refused: the {@code type} and {@code status} of a
 * {@code pusher:subscription_error}, shaped as pusher-js reports its own authorizer's failures (so
 * Laravel Echo's {@code .error()} callbacks see the same object), and the {@code type} label of
 * {@code herald_pusher_subscription_errors_total}.
 */
public enum PusherSubscriptionError {
    /** The {@code auth} signature is missing or wrong, or the user channel is another user's. */
    AUTH("AuthError", 401),
    /** The channel name cannot be a hub channel, or {@code channel_data} is malformed. */
    INVALID_CHANNEL("InvalidChannel", 400),
    /** A limit: {@code client.max_subscriptions}, {@code limits.max_channels}, presence members. */
    LIMIT_REACHED("LimitReached", 429),
    /** The engine could not set the subscription up; subscribing again may work. */
    SERVER_ERROR("ServerError", 503);

    private final String type;
    private final int status;

    PusherSubscriptionError(String type, int status) {
        this.type = type;
        this.status = status;
    }

    /** The {@code type} field. */
    public String type() {
        return type;
    }

    /** The {@code status} field (an HTTP status, as pusher-js gives for a failed auth request). */
    public int status() {
        return status;
    }

    /** The metric label. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
