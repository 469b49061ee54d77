package io.herald.pusher;

import java.util.List;
import java.util.Map;

/**
 * One Pusher HTTP API request, free of transport types.
 *
 * @param method  HTTP method
 * @param rawPath the path as sent (still percent-encoded), starting with {@code /apps/}
 * @param query   the decoded query parameters, in the order sent
 * @param body    the request body (empty when none)
 */
public record PusherApiRequest(String method, String rawPath, Map<String, List<String>> query, byte[] body) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
