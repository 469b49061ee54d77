package io.herald.metrics;

/** What became of webhook events: the {@code outcome} label of {@code herald_webhook_events_total}. */
public enum WebhookOutcome {
    /** Queued for a hook (counted by the node whose step queued it). */
    QUEUED("queued"),
    /** Delivered: the hook answered 2xx. */
    SENT("sent"),
    /** In a delivery attempt that failed; they are retried. */
    RETRIED("retried"),
    /** Dropped unsent: older than the hook's max_age. */
    EXPIRED("expired"),
    /** Refused: the hook's queue held max_queue events. */
    QUEUE_FULL("queue_full");

    private final String label;

    WebhookOutcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
