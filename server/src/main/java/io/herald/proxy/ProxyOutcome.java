package io.herald.proxy;

import java.util.Locale;

/**
 * How one proxy call ended: the {@code outcome} label of {@code herald_proxy_calls_total}. The first
 * four are answers of the backend; the others are failures, which the client sees as
 * {@code not_available} (a connect as 4002), except {@link #OVERLOADED} ({@code too_many_requests}).
 */
public enum ProxyOutcome {
    /** {@code {"result":{…}}}. */
    RESULT,
    /** {@code {"error":{…}}}, passed to the client. */
    ERROR,
    /** {@code {"disconnect":{…}}}, honoured. */
    DISCONNECT,
    /** A 4xx answer without the answer shape: the client is refused. */
    REFUSED,
    /** No complete answer within {@code proxy.timeout}. */
    TIMEOUT,
    /** A 5xx answer. */
    SERVER_ERROR,
    /** An answer that is not the answer shape (wrong JSON, unknown code, a redirect, 1xx/2xx without it). */
    MALFORMED,
    /** An answer body over {@code proxy.max_response_size}. */
    OVERSIZED,
    /** The backend could not be reached (connection refused, reset, DNS). */
    UNREACHABLE,
    /** Not sent: {@code proxy.max_pending} calls of this kind were already waiting. */
    OVERLOADED;

    /** The label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when the backend answered (whatever it decided); false for failures and calls not sent. */
    public boolean answered() {
        return this == RESULT || this == ERROR || this == DISCONNECT || this == REFUSED;
    }
}
