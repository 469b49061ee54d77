package io.herald.config;

import io.herald.proxy.ProxyKind;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The backend proxy ({@code proxy:}): where Herald asks the application's backend what a token
 * cannot say. Immutable; validated by the layers that set it.
 *
 * @param urls             the {@code http://} or {@code https://} URL of each configured kind; a kind
 *                         not in the map is not asked
 * @param timeout          deadline of one call, from sending to the last byte of the answer
 * @param headers          client request headers forwarded to the connect proxy, lower-case; none by
 *                         default, and a cookie only when {@code cookie} is named
 * @param staticHeaders    headers added to every call (lower-case names), so the backend can trust it
 * @param maxPending       calls of one kind waiting for their answer at once; past it a command gets
 *                         {@code too_many_requests} and a connect is refused with 4008
 * @param maxResponseBytes largest answer body read; a longer one counts as a malformed answer
 */
public record ProxyConfig(Map<ProxyKind, URI> urls, Duration timeout, List<String> headers,
                          Map<String, String> staticHeaders, int maxPending, int maxResponseBytes) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    public static final int DEFAULT_MAX_PENDING = 1000;
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
    /** No kind configured: nothing is ever asked. */
    public static final ProxyConfig NONE = new ProxyConfig(Map.of(), DEFAULT_TIMEOUT, List.of(), Map.of(),
            DEFAULT_MAX_PENDING, DEFAULT_MAX_RESPONSE_BYTES);

    public ProxyConfig {
        urls = urls.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(urls));
        headers = List.copyOf(headers);
        staticHeaders = Map.copyOf(staticHeaders);
    }

    /** Whether {@code kind} has a URL. */
    public boolean has(ProxyKind kind) {
        return urls.containsKey(kind);
    }

    /** The URL of {@code kind}, or null when it is not configured. */
    public URI url(ProxyKind kind) {
        return urls.get(kind);
    }

    public ProxyConfig withUrl(ProxyKind kind, URI url) {
        Map<ProxyKind, URI> m = new EnumMap<>(ProxyKind.class);
        m.putAll(urls);
        m.put(kind, url);
        return new ProxyConfig(m, timeout, headers, staticHeaders, maxPending, maxResponseBytes);
    }

    public ProxyConfig withTimeout(Duration value) {
        return new ProxyConfig(urls, value, headers, staticHeaders, maxPending, maxResponseBytes);
    }

    public ProxyConfig withHeaders(List<String> forwarded, Map<String, String> added) {
        return new ProxyConfig(urls, timeout, forwarded, added, maxPending, maxResponseBytes);
    }

    public ProxyConfig withCaps(int pending, int responseBytes) {
        return new ProxyConfig(urls, timeout, headers, staticHeaders, pending, responseBytes);
    }
}
