package io.herald.webhook;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how one hook's queue is delivered, whatever its format.
 *
 * @param id          the hook's id in the engine's state
 * @param url         the receiver
 * @param redactedUrl the URL for logs, user info hidden
 * @param timeout     deadline of one delivery request, from sending to the end of the answer
 * @param maxInFlight delivery requests to this hook one node has open at a time
 * @param maxAge      how long an event is retried before it is dropped (for the log line)
 * @param format      how a delivery is written and signed
 */
record HookTarget(String id, URI url, String redactedUrl, Duration timeout, int maxInFlight, Duration maxAge,
                  WebhookFormat format) {
}
