package io.herald.api;

import java.util.List;
import java.util.Map;

/**
 * One server API request, free of transport types.
 *
 * @param method        HTTP method
 * @param path          the raw (still percent-encoded) path, starting with {@code /api/}
 * @param query         decoded query parameters
 * @param authorization the {@code Authorization} header or null
 * @param body          the request body (empty when none)
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, String authorization,
                         byte[] body) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
