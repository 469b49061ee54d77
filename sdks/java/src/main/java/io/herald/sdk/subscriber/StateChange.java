package io.herald.sdk.subscriber;

import io.herald.sdk.HeraldErrorCode;

/**
 * One state transition of a client or a subscription.
 *
 * @param closeCode the close code of the connection whose end caused it (a {@link CloseCode}, a
 *                  {@link LocalCloseCode} or another WebSocket code); null when no close caused it
 * @param error     the server's (or the SDK's) error code that caused it, e.g. a refused subscribe; null when none
 * @param reason    what happened, in words (an {@code unsubscribed} push's reason word, a close reason); may be null
 */
public record StateChange<S extends Enum<S>>(S from, S to, Integer closeCode, HeraldErrorCode error, String reason) {
}
