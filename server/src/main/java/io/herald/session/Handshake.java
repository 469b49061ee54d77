package io.herald.session;

import io.herald.config.ProxyConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the connect proxy is told of a client's request: the transport, the peer's address, the
 * request headers named in {@code proxy.headers} (nothing else, so a cookie goes only where it is
 * named) and the query parameters (the first value of each). Kept only until the connect is decided.
 * Immutable.
 *
 * @param headers lower-case names to values, in {@code proxy.headers} order
 * @param query   parameter names to their first value, in request order
 */
public record Handshake(ClientTransport transport, String remoteAddr, Map<String, String> headers,
                        Map<String, String> query) {

    public Handshake {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /**
     * The handshake of a request: {@code header} looks a request header up by name (null when absent;
     * several values joined as the HTTP layer joins them), {@code params} are the decoded query.
     */
    public static Handshake of(ClientTransport transport, String remoteAddr, ProxyConfig proxy,
                               Function<String, String> header, Map<String, List<String>> params) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : proxy.headers()) {
            String value = header.apply(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            if (!values.isEmpty()) {
                query.put(name, values.getFirst());
            }
        });
        return new Handshake(transport, remoteAddr, headers, query);
    }
}
