package io.herald.engine;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.WebhookEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster-wide state behind webhooks and presence across nodes: which nodes occupy each channel,
 * how many connections each user has in each presence channel, and per webhook a queue of events per
 * channel. Each change and the events it causes are one atomic step, so every event is queued once
 * cluster-wide: {@code channel_occupied} when the first node occupies a channel (not again while the
 * hook was never told it was vacated), {@code channel_vacated} once it stayed empty for the hook's
 * {@code vacate_delay}, {@code presence_join}/{@code presence_leave} on a user's first and last
 * connection, {@code client_publish} as given. Events of a hook and channel get gap-free {@code seq}s
 * and are handed out in order, one batch of a channel at a time (a claimed channel is leased to the
 * claiming node until it reports the outcome or the lease runs out), and removed only once delivered
 * or older than {@code max_age}: delivery is at least once.
 *
 * <p>A node announces itself every second; a node that stops (it crashed) is swept by a surviving
 * node after the presence TTL: its occupancy and presence entries are removed as if it had left,
 * causing the events it owed, and {@link Listener#presenceExpired} is called once cluster-wide per
 * removed presence entry so the sweeping node sends the leave push. Thread-safe and non-blocking.
 */
public interface HookStore extends AutoCloseable {
    /**
     * A hook as the store needs it. {@code mask} holds the bits of the events it wants (a
     * {@code WebhookEvent}'s bit, or another bit a caller of {@link #queue} uses); {@code scope} says
     * which channels it hears of: {@code *} every one, {@code +P} those whose name starts with
     * {@code P}, {@code -P1,P2,…} all but those starting with one of the {@code Pi} (see {@link #inScope}).
     */
    record Hook(String id, int mask, long vacateDelayMillis, long maxAgeMillis, int maxQueue, String scope) {
        /** A hook of every channel. */
        public Hook(String id, int mask, long vacateDelayMillis, long maxAgeMillis, int maxQueue) {
            this(id, mask, vacateDelayMillis, maxAgeMillis, maxQueue, ALL_CHANNELS);
        }
    }

    /** The scope of a hook of every channel. */
    String ALL_CHANNELS = "*";

    /** Whether {@code channel} is in a hook's {@code scope} (the rule hooks.lua applies too). */
    static boolean inScope(String scope, ChannelName channel) {
        if (scope.equals(ALL_CHANNELS)) {
            return true;
        }
        String name = channel.value();
        if (scope.charAt(0) == '+') {
            return name.startsWith(scope.substring(1));
        }
        for (String prefix : scope.substring(1).split(",")) {
            if (!prefix.isEmpty() && name.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }

    /** One event as queued; {@code fields} is the event's JSON fields other than name, channel and seq (may be empty). */
    record QueuedEvent(long seq, long timeMillis, int bit, String fields) {
    }

    /**
     * A channel's next events, claimed by this node; {@code expired} events older than
     * {@code max_age} were dropped before it (possibly leaving {@code events} empty).
     */
    record Batch(ChannelName channel, int attempts, int expired, List<QueuedEvent> events) {
    }

    /** What the store tells its node; called on engine threads, must not block. */
    interface Listener {
        /** A dead node's presence entry was removed (once cluster-wide): send its leave push. */
        void presenceExpired(ChannelName channel, ClientInfo client);

        /** A step queued {@code queued} events for {@code hookId} and refused {@code refused} (its queue was full). */
        void queued(String hookId, int queued, int refused);
    }

    /** Starts the store for this node; called once, before any other method. */
    void start(String nodeId, List<Hook> hooks, Listener listener);

    /** This node has subscribers in {@code channel} now (it had none). */
    CompletableFuture<Void> occupy(ChannelName channel);

    /** This node's last subscriber of {@code channel} is gone. */
    CompletableFuture<Void> vacate(ChannelName channel);

    /**
     * A connection of this node joined the channel's presence; joining twice counts once.
     * {@code pushesLeave}: the channel sends leave pushes, so a dead node owes one for this entry.
     * A store may skip entries that neither a hook nor a leave push needs; {@link #leave} must then
     * be called with the same flag.
     */
    CompletableFuture<Void> join(ChannelName channel, ClientInfo client, boolean pushesLeave);

    /** A connection of this node left the channel's presence; {@code pushesLeave} as it joined. */
    CompletableFuture<Void> leave(ChannelName channel, ClientInfo client, boolean pushesLeave);

    /** A client publication was accepted; {@code fields} as in {@link QueuedEvent}. */
    CompletableFuture<Void> clientPublished(ChannelName channel, String fields);

    /**
     * Whether some hook of this node takes {@code event}, as of {@link #start}: a caller skips
     * building the fields of an event no hook takes (a client publish would otherwise encode its
     * fields on every publication of a node without webhooks).
     */
    boolean wants(WebhookEvent event);

    /**
     * Queues an event of {@code bit}, which is none of the events the store itself derives (occupancy,
     * presence, client publications), for every hook that wants it and hears of the channel;
     * {@code fields} as in {@link QueuedEvent}.
     */
    CompletableFuture<Void> queue(ChannelName channel, int bit, String fields);

    /** Claims up to {@code channels} ready channels of the hook, each with up to {@code events} events. */
    CompletableFuture<List<Batch>> claim(String hookId, int channels, int events, long leaseMillis);

    /** The batch was delivered: its events leave the queue and the channel's next ones are ready. */
    CompletableFuture<Void> delivered(String hookId, Batch batch);

    /**
     * The batch was not delivered: it is retried after an exponential backoff from
     * {@code firstRetryMillis} up to {@code maxRetryMillis}, or when its oldest event reaches max_age.
     */
    CompletableFuture<Void> failed(String hookId, Batch batch, long firstRetryMillis, long maxRetryMillis);

    /** Events queued for the hook, cluster-wide. */
    CompletableFuture<Long> depth(String hookId);

    /** Stops this node's announcements and marks it gone, so the others sweep what it still holds. */
    @Override
    void close();
}
