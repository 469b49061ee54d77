package io.herald.engine;

import io.herald.config.NamespaceConfig;
import io.herald.protocol.ChannelName;
import io.herald.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/**
 * Per-channel streams: offsets, epochs, history and the atomic publish.
 *
 * <p>Contract, shared by every implementation and checked by {@code HistoryStoreContract}:
 * <ul>
 *   <li>{@link #publish} assigns the next offset (a new channel is at 0, its first publication gets
 *       1, each adds exactly 1), appends to history and hands the publication to the {@link Broker}
 *       in one atomic step per channel: publications of a channel reach the broker in offset order.</li>
 *   <li>The epoch is created together with the offset counter and changes whenever the counter may
 *       have restarted; it is never invented by a node. An epoch is never paired with an offset
 *       twice: a stream that is forgotten is not recreated under its epoch.</li>
 *   <li>Only a publish creates state for a channel. A channel without publications (or whose
 *       stream was forgotten) is at offset 0 under an epoch of the engine's, and its first publish
 *       continues from there under that same epoch, so a reader told {@code {0, epoch}} recovers
 *       the first publications with it. Reads and positions never create state.</li>
 *   <li>A publication is held while it is among the last {@code historySize} and younger than
 *       {@code historyTtl}.</li>
 *   <li>The same idempotency key on the same channel within {@link #IDEMPOTENCY_WINDOW_MILLIS} publishes
 *       once and returns the first result's position with {@code duplicate = true}. A key records
 *       only that position, never the publication: callers give every publish a key.</li>
 * </ul>
 * All methods are thread-safe and non-blocking; futures may complete on any thread.
 */
public interface HistoryStore extends AutoCloseable {
    long IDEMPOTENCY_WINDOW_MILLIS = 5 * 60 * 1000;

    CompletableFuture<PublishResult> publish(ChannelName channel, PublicationDraft draft, NamespaceConfig options);

    /**
     * Reads history. Without {@code since}: the latest {@code limit} held publications. With it: the first
     * {@code limit} after {@code since.offset} when recoverable (see {@link HistoryResult#recovered()}),
     * else none.
     */
    CompletableFuture<HistoryResult> read(ChannelName channel, StreamPosition since, int limit, NamespaceConfig options);

    /** The channel's current position; offset 0 under the engine's epoch when it has no stream. Creates nothing. */
    CompletableFuture<StreamPosition> position(ChannelName channel, NamespaceConfig options);

    /** Channels this process holds stream state for (0 where streams live elsewhere, as with Redis). */
    default int streamCount() {
        return 0;
    }

    /** Releases background resources; the store is unusable afterwards. */
    @Override
    default void close() {
    }
}
