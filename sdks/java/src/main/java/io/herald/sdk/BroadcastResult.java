package io.herald.sdk;

import java.util.List;

/**
 * A broadcast: one result per channel, in the order given, and the key it went under.
 */
public record BroadcastResult(List<ChannelResult> results, String idempotencyKey) {
    public BroadcastResult {
        results = List.copyOf(results);
    }

    /**
     * One channel of a broadcast: published ({@code error} null) or refused.
     *
     * @param error    the refusal's code (a protocol code, or {@link HeraldErrorCode#BAD_RESPONSE} when
     *                 Herald's answer named none); null when published
     * @param message  the refusal's message; null when published
     */
    public record ChannelResult(String channel, long offset, String epoch, HeraldErrorCode error, String message) {
        public boolean ok() {
            return error == null;
        }
    }
}
