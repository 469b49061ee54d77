package io.herald.session;

import io.herald.config.NamespaceConfig;
import io.herald.engine.HistoryResult;
import io.herald.hub.ChannelMember;
import io.herald.protocol.ChannelName;
import io.herald.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Join-then-read, the one way a reader starts on a channel (a subscription, a long poll): the member
 * joins the hub first, and the stream is read only once the node receives the channel's
 * publications, so nothing published after the read can be lost. What the hub hands the member
 * meanwhile is the member's to hold and check against the read's end (see {@link NextOffset}).
 */
final class ChannelJoin {
    private ChannelJoin() {
    }

    /**
     * Adds {@code member} to {@code channel} in the hub (call on the member's thread), then reads the
     * channel's position, or with {@code since} at most {@code limit} publications after it. Without
     * {@code since} the result holds no publications and is {@code recovered}. Fails when the hub or
     * the read failed; the member is then left for the caller to remove.
     */
    static CompletableFuture<HistoryResult> thenRead(SessionServices services, ChannelName channel, ChannelMember member,
                                                     StreamPosition since, int limit) {
        NamespaceConfig ns = services.config().namespace(channel.namespace());
        return services.hub().addSubscriber(channel, member).thenCompose(v -> since == null
                ? services.engine().history().position(channel, ns).thenApply(p -> new HistoryResult(List.of(), p, true))
                : services.engine().history().read(channel, since, limit, ns));
    }
}
