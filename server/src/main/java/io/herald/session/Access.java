package io.herald.session;

import io.herald.auth.Claims;
import io.herald.config.NamespaceConfig;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelPattern;
import java.util.List;

/**
 * Who may do what in a channel. User-limited channels ({@code name#42,57}) admit only listed,
 * non-anonymous users; patterns and {@code public} never grant them.
 */
final class Access {
    private Access() {
    }

    /** Subscribing, presence and history share this rule. */
    static boolean canSubscribe(Claims claims, ChannelName channel, NamespaceConfig ns) {
        if (channel.isUserLimited()) {
            return isListed(claims, channel);
        }
        return ns.isPublic() || anyMatches(claims.channels(), channel);
    }

    /**
     * A {@code publish} pattern allows any event name; a namespace with {@code client_publish} allows
     * {@code client-*} events to anyone who may subscribe.
     */
    static boolean canPublish(Claims claims, ChannelName channel, String event, NamespaceConfig ns) {
        if (channel.isUserLimited() && !isListed(claims, channel)) {
            return false;
        }
        if (anyMatches(claims.publish(), channel)) {
            return true;
        }
        return ns.clientPublish() && event.startsWith("client-") && canSubscribe(claims, channel, ns);
    }

    private static boolean isListed(Claims claims, ChannelName channel) {
        return !claims.isAnonymous() && channel.allowedUsers().contains(claims.user());
    }

    private static boolean anyMatches(List<ChannelPattern> patterns, ChannelName channel) {
        for (ChannelPattern p : patterns) {
            if (p.matches(channel)) {
                return true;
            }
        }
        return false;
    }
}
