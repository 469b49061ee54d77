package io.herald.sdk.subscriber;

/**
 * States of a {@link Subscription}: {@code UNSUBSCRIBED} → {@code SUBSCRIBING} (request sent or
 * waiting for a connection) → {@code SUBSCRIBED} (position known; publications flow). A lost
 * connection moves it back to {@code SUBSCRIBING}; it resubscribes from its last position.
 */
public enum SubscriptionState {
    UNSUBSCRIBED, SUBSCRIBING, SUBSCRIBED
}
