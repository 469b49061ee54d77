package io.herald.metrics;

/** Why a webhook delivery attempt failed: the {@code cause} label of {@code herald_webhook_failures_total}. */
public enum WebhookFailure {
    /** No complete answer within the hook's timeout. */
    TIMEOUT("timeout"),
    /** The connection failed (refused, reset, TLS, DNS). */
    NETWORK("network"),
    /** The hook answered with a status other than 2xx (redirects included: they are not followed). */
    STATUS("status");

    private final String label;

    WebhookFailure(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
