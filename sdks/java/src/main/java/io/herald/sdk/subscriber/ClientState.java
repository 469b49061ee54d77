package io.herald.sdk.subscriber;

/**
 * States of a {@link HeraldSubscriber}, as the TypeScript client's: {@code DISCONNECTED} →
 * {@code CONNECTING} → {@code CONNECTED}; a lost connection goes to {@code RECONNECTING} (backoff
 * timer) and back to {@code CONNECTED}; {@code CLOSED} is final.
 */
public enum ClientState {
    DISCONNECTED, CONNECTING, CONNECTED, RECONNECTING, CLOSED
}
