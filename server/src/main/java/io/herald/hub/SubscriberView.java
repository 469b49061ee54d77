package io.herald.hub;

import java.util.List;

/**
 * One connection as an operator sees it (the admin UI's lookup).
 *
 * @param transport       {@code ws} or {@code sse}
 * @param remoteAddress   the peer's address and port, or null when unknown
 * @param connectedMillis when the connection was registered (epoch millis)
 * @param channels        its subscriptions, sorted
 */
public record SubscriberView(String client, String user, String transport, String remoteAddress,
                             long connectedMillis, List<String> channels) {
}
