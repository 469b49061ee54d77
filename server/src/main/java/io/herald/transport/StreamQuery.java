package io.herald.transport;

import io.herald.protocol.ChannelName;
import io.herald.protocol.Cursors;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.ProtocolException;
import io.herald.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code GET /sse} and {@code GET /poll}: the channels in order, the cursors to resume
 * from (one entry per channel, null where none) and the token (null when absent).
 */
record StreamQuery(List<ChannelName> channels, List<StreamPosition> since, String token) {

    /**
     * Parses and checks the query; {@code lastEventId} (an EventSource reconnecting), when not empty,
     * replaces {@code ?since=}.
     *
     * @throws ProtocolException {@code bad_request} naming the problem, or {@code limit_exceeded}
     *                           beyond {@code maxChannels}
     */
    static StreamQuery parse(Map<String, List<String>> params, String lastEventId, int maxChannels)
            throws ProtocolException {
        List<String> names = params.getOrDefault("channel", List.of());
        if (names.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "give at least one channel parameter (?channel=a&channel=b)");
        }
        if (maxChannels > 0 && names.size() > maxChannels) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most " + maxChannels
                    + " channels per request (client.max_subscriptions); " + names.size() + " given");
        }
        List<ChannelName> channels = new ArrayList<>(names.size());
        Set<ChannelName> seen = new HashSet<>();
        for (String name : names) {
            String problem = ChannelName.problem(name);
            if (problem != null) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "invalid channel: " + problem);
            }
            ChannelName channel = new ChannelName(name);
            if (!seen.add(channel)) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "channel " + channel + " is listed twice");
            }
            channels.add(channel);
        }
        String cursors = lastEventId != null && !lastEventId.isEmpty() ? lastEventId : single(params, "since");
        List<StreamPosition> since = cursors == null
                ? Arrays.asList(new StreamPosition[channels.size()])
                : Cursors.parse(cursors, channels.size());
        String token = single(params, "token");
        return new StreamQuery(List.copyOf(channels), since, token == null || token.isEmpty() ? null : token);
    }

    /** The one value of a parameter given at most once, or null. */
    static String single(Map<String, List<String>> params, String name) throws ProtocolException {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "parameter " + name + " is given " + values.size()
                    + " times; give it once");
        }
        return values.getFirst();
    }
}
