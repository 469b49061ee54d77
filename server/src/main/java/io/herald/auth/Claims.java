package io.herald.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.protocol.ChannelPattern;
import java.util.List;

/**
 * The verified claims of a connection token.
 *
 * @param user      the {@code sub} claim; "" is anonymous
 * @param expiresAt the {@code exp} claim in epoch seconds, or 0 when the token has none
 * @param channels  patterns this user may subscribe to ({@code channels})
 * @param publish   patterns this user may publish to from the client ({@code publish})
 * @param subscribe channel names joined at connect ({@code subscribe}), not yet validated
 * @param info      the {@code info} object shown in presence, or null
 */
public record Claims(String user, long expiresAt, List<ChannelPattern> channels,
                     List<ChannelPattern> publish, List<String> subscribe, ObjectNode info) {

    public Claims {
        user = user == null ? "" : user;
        channels = List.copyOf(channels);
        publish = List.copyOf(publish);
        subscribe = List.copyOf(subscribe);
    }

    /** Claims of an anonymous connection: no patterns, no expiry. */
    public static Claims anonymous() {
        return new Claims("", 0, List.of(), List.of(), List.of(), null);
    }

    /**
     * The claims a connect proxy's result gives, read by the token's rules: {@code user} (required, a
     * string; "" is anonymous), {@code expires} (epoch seconds, optional), {@code channels},
     * {@code publish}, {@code subscribe} and {@code info}.
     *
     * @throws AuthException {@code INVALID} naming the bad member; {@code EXPIRED} when {@code expires} has passed
     */
    public static Claims fromProxyResult(ObjectNode result) throws AuthException {
        return ClaimsReader.fromResult(result, System.currentTimeMillis());
    }

    public boolean isAnonymous() {
        return user.isEmpty();
    }
}
