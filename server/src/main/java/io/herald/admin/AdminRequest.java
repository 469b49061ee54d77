package io.herald.admin;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * One request to {@code /admin} or {@code /admin/api/...}, free of transport types.
 *
 * @param path        the raw path, starting with {@code /admin}
 * @param query       decoded query parameters
 * @param cookie      the {@code Cookie} header, or null
 * @param origin      the {@code Origin} header, or null
 * @param adminHeader the {@code X-Herald-Admin} header, or null (a page of another site cannot send it)
 * @param host        the {@code Host} header, or null
 * @param remote      the peer's address, or null when unknown
 * @param secure      whether the request came over TLS
 * @param body        the request body (empty when none)
 */
public record AdminRequest(String method, String path, Map<String, List<String>> query, String cookie, String origin,
                           String adminHeader, String host, InetAddress remote, boolean secure, byte[] body) {

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** The value of cookie {@code name}, or null. */
    String cookieValue(String name) {
        if (cookie == null) {
            return null;
        }
        for (String part : cookie.split(";")) {
            String p = part.trim();
            if (p.startsWith(name + "=")) {
                return p.substring(name.length() + 1);
            }
        }
        return null;
    }
}
