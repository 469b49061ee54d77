package io.herald.sdk;

/**
 * Options of a server API disconnect; null fields are left out (Herald's defaults apply).
 *
 * @param reconnect ask the clients to reconnect (Herald's default false: the session ends)
 * @param reason    reason in the push and the close frame (at most 123 bytes of UTF-8)
 */
public record DisconnectOptions(Boolean reconnect, String reason) {
    public static final DisconnectOptions DEFAULT = new DisconnectOptions(null, null);

    public static DisconnectOptions reconnect(boolean reconnect) {
        return new DisconnectOptions(reconnect, null);
    }

    public DisconnectOptions withReason(String reason) {
        return new DisconnectOptions(reconnect, reason);
    }
}
