package io.herald.protocol;

/**
 * One channel of a request that was refused while the others went ahead: an entry of the token's
 * {@code subscribe} claim, or a channel of {@code /sse} or {@code /poll}.
 *
 * @param code    why (for example {@code permission_denied}, {@code limit_exceeded}, {@code bad_request})
 * @param message for people
 */
public record ChannelRefusal(String channel, ErrorCode code, String message) {
}
