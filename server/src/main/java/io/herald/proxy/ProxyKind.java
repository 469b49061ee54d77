package io.herald.proxy;

import io.herald.metrics.RateLimit;
import java.util.Locale;

/**
 * The five questions Herald may ask the application's backend, each configured with its own URL
 * under {@code proxy:}. The name is the YAML key, the {@code kind} label of the proxy metrics and
 * the word in logs.
 */
public enum ProxyKind {
    /** A connection with no token: who is it, and what may it do. */
    CONNECT,
    /** Shortly before the {@code expires} of a connection the connect proxy admitted: may it go on. */
    REFRESH,
    /** A subscribe in a namespace with {@code subscribe_proxy}. */
    SUBSCRIBE,
    /** A client publish in a namespace with {@code publish_proxy}. */
    PUBLISH,
    /** The {@code rpc} command. */
    RPC;

    /** The YAML key, metric label and log word: {@code connect}, {@code refresh}, … */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The limit that refuses a call of this kind at its pending-call cap ({@code proxy_<kind>}). */
    public RateLimit limit() {
        return switch (this) {
            case CONNECT -> RateLimit.PROXY_CONNECT;
            case REFRESH -> RateLimit.PROXY_REFRESH;
            case SUBSCRIBE -> RateLimit.PROXY_SUBSCRIBE;
            case PUBLISH -> RateLimit.PROXY_PUBLISH;
            case RPC -> RateLimit.PROXY_RPC;
        };
    }
}
