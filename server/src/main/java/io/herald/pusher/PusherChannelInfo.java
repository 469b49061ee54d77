package io.herald.pusher;

import java.util.EnumSet;
import java.util.Set;

/**
 * The attributes of a channel the HTTP API's {@code info} parameter asks for (a comma-separated list)
 * and the field each is answered in.
 */
public enum PusherChannelInfo {
    /** Distinct users in a presence channel (one user with two tabs counts once); presence channels only. */
    USER_COUNT("user_count"),
    /** Connections subscribed to the channel. */
    SUBSCRIPTION_COUNT("subscription_count"),
    /** The cached last event of a {@code cache-} channel: {@code {"data","ttl"}}. */
    CACHE("cache");

    private final String wire;

    PusherChannelInfo(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /**
     * The attributes {@code list} names, each one of {@code allowed}.
     *
     * @throws PusherApiException 400 for a word that is not one of them
     */
    static Set<PusherChannelInfo> parse(String list, Set<PusherChannelInfo> allowed) throws PusherApiException {
        Set<PusherChannelInfo> out = EnumSet.noneOf(PusherChannelInfo.class);
        if (list == null || list.isBlank()) {
            return out;
        }
        for (String word : list.split(",", 16)) {
            String w = word.trim();
            PusherChannelInfo found = null;
            for (PusherChannelInfo i : allowed) {
                if (i.wire.equals(w)) {
                    found = i;
                }
            }
            if (found == null) {
                throw PusherApiException.badRequest("Invalid info attribute " + PusherRequestAuth.inspect(
                        PusherHttpApi.clip(w)) + "; this request accepts " + String.join(", ",
                        allowed.stream().map(PusherChannelInfo::wire).toList()));
            }
            out.add(found);
        }
        return out;
    }
}
