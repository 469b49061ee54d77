package io.herald.engine.memory;

import io.herald.config.NamespaceConfig;
import io.herald.engine.ChannelLimitException;
import io.herald.engine.Epochs;
import io.herald.engine.HistoryResult;
import io.herald.engine.HistoryStore;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;

/**
 * Channel streams held in this process. Each stream is guarded by its own monitor; a publish
 * assigns the offset, appends and hands the publication to the {@link MemoryBroker} (which delivers
 * synchronously) while holding it, so fan-out order is offset order. A process restart loses every
 * stream; the new process reports new epochs, so clients are told they cannot recover.
 *
 * <p><b>Only publications create state.</b> Reads, positions, polls and subscriptions of a channel
 * that has no stream create none: such a channel is at offset 0 under the <i>era</i> epoch, one
 * epoch shared by every channel without a stream (made at start), and a first publish creates the
 * stream under the era epoch, so a client that was told {@code {0, era}} recovers the first
 * publications with it. Why an epoch is never reused with other offsets:
 * <ul>
 *   <li>A stream is dropped only when it holds no history and no unexpired idempotency key (so the
 *       5-minute window stays honest), no subscriber of this node is in the channel (a live
 *       subscription keeps its stream, so it never sees its epoch change), and its epoch is not the
 *       current era's. After the drop the channel reports the current era, which differs from the
 *       dropped stream's epoch: cursors of the dropped stream, and {@code {0, e}} cursors given out
 *       before it existed, no longer match and are told {@code recovered:false}. A new stream for
 *       the channel starts at offset 1 under the current era, never under the dropped epoch.</li>
 *   <li>A stream of the current era that could go waits for the era to change. The sweep changes
 *       it when such streams wait and the era is at least {@link #MIN_ERA} old; a node whose streams
 *       never go never changes its era. Changing the era <i>pins</i> first: every channel this node
 *       has subscribers in and no stream for gets an empty stream (offset 0) under the old era, so
 *       its subscribers, told {@code {0, old}}, get their first publication under that epoch. The
 *       change and the answers of channels without a stream are serialised by a lock, so no reader
 *       sees the new era for a channel that is then pinned to the old one. A pin holds no
 *       offset and is dropped once the channel's subscribers are gone.</li>
 * </ul>
 * The price: a client that was away (not subscribed) across an era change and holds {@code {0, e}}
 * of a channel that was still empty is told {@code recovered:false}, as it is for a channel whose
 * history expired and whose stream was dropped. A stream that can go is gone at the next sweep
 * ({@value #SWEEP_SECONDS} s apart) once its era is {@link #MIN_ERA} old: within a minute and a sweep.
 *
 * <p>At most {@code maxChannels} streams are created by publishes (0 = no limit); a publish to a new
 * channel beyond that fails with {@link ChannelLimitException}. Pins are not refused: there is one
 * per channel with subscribers at most, and those are bounded by the hub.
 */
public final class MemoryHistoryStore implements HistoryStore {
    /** The shortest time between two era changes. */
    public static final Duration MIN_ERA = Duration.ofMinutes(1);
    static final int SWEEP_SECONDS = 5;

    private final MemoryBroker broker;
    private final LongSupplier clock;
    private final int maxChannels;
    private final ConcurrentHashMap<ChannelName, Stream> streams = new ConcurrentHashMap<>();
    /**
     * Write-locked while the era changes; read (optimistically, or locked) while a channel without
     * a stream is answered or gets its stream, so both see one era.
     */
    private final StampedLock eraLock = new StampedLock();
    /** The epoch of channels without a stream; changed under the write lock of {@link #eraLock}. */
    private volatile String era = Epochs.next();
    /** When {@link #era} was made; read and written by {@link #sweep} only. */
    private long eraStarted;
    private final ScheduledExecutorService sweeper;

    /** A stream: all fields but {@link #epoch} are guarded by the stream's monitor. */
    private static final class Stream {
        final String epoch;
        /** The channel's name, one instance for the stream's publications and its history's. */
        final ChannelName channel;
        /**
         * Null until the first publish that keeps history, then small to start: many channels (a
         * personal one per user, say) hold little or nothing.
         */
        HistoryRing items;
        /**
         * Idempotency key → where its publication went, oldest first. Only offsets and times, never
         * the publications: every publish has a key, and holding each one for the whole window would
         * keep publications long trimmed from history. Null until the first key.
         */
        IdempotencyWindow idempotency;
        long top;
        /** The namespace's history TTL at the last publish, so the sweep can trim without options. */
        long ttlMillis;
        boolean dropped;

        Stream(ChannelName channel, String epoch) {
            this.channel = channel;
            this.epoch = epoch;
        }

        StreamPosition position() {
            return new StreamPosition(top, epoch);
        }
    }

    /** A store on the system clock with a background sweep; {@code maxChannels} 0 means no limit. */
    public MemoryHistoryStore(MemoryBroker broker, int maxChannels) {
        this(broker, System::currentTimeMillis, maxChannels, true);
    }

    /**
     * @param clock       milliseconds since the epoch; tests pass a controllable clock
     * @param maxChannels streams publishes may create (0 = no limit)
     * @param sweep       whether to run the background sweep (tests call {@link #sweep()} themselves)
     */
    public MemoryHistoryStore(MemoryBroker broker, LongSupplier clock, int maxChannels, boolean sweep) {
        this.broker = broker;
        this.clock = clock;
        this.maxChannels = maxChannels;
        this.eraStarted = clock.getAsLong();
        if (sweep) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "herald-history-sweep");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
        } else {
            sweeper = null;
        }
    }

    @Override
    public CompletableFuture<PublishResult> publish(ChannelName channel, PublicationDraft draft, NamespaceConfig options) {
        while (true) {
            Stream s = streams.get(channel);
            if (s == null && (s = create(channel)) == null) {
                return CompletableFuture.failedFuture(new ChannelLimitException(maxChannels));
            }
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                return CompletableFuture.completedFuture(publishLocked(s, draft, options));
            }
        }
    }

    /** The channel's stream, created under the current era unless the limit is reached (then null). */
    private Stream create(ChannelName channel) {
        long stamp = eraLock.readLock();
        try {
            return streams.computeIfAbsent(channel, c -> maxChannels > 0 && streams.size() >= maxChannels
                    ? null : new Stream(c, era));
        } finally {
            eraLock.unlockRead(stamp);
        }
    }

    private PublishResult publishLocked(Stream s, PublicationDraft draft, NamespaceConfig options) {
        long now = clock.getAsLong();
        String key = draft.idempotencyKey();
        if (key != null) {
            expireIdempotency(s, now);
            long first = s.idempotency == null ? -1 : s.idempotency.offsetOf(key);
            if (first >= 0) {
                return PublishResult.duplicate(new StreamPosition(first, s.epoch));
            }
        }
        long offset = s.top + 1;
        Publication p = Frames.publication(s.channel, draft.event(), draft.data(), offset, s.epoch, now, draft.user(),
                draft.excludeClient());
        s.top = offset;
        s.ttlMillis = options.historyTtl().toMillis();
        if (options.historySize() > 0) {
            if (s.items == null) {
                s.items = new HistoryRing(s.channel, s.epoch);
            }
            s.items.addLast(p);
            trim(s, options, now);
        }
        if (key != null) {
            if (s.idempotency == null) {
                s.idempotency = new IdempotencyWindow();
            }
            s.idempotency.record(key, offset, now);
        }
        broker.publish(p);
        return PublishResult.published(p);
    }

    @Override
    public CompletableFuture<HistoryResult> read(ChannelName channel, StreamPosition since, int limit,
                                                 NamespaceConfig options) {
        while (true) {
            Stream s = streams.get(channel);
            if (s == null) {
                String empty = emptyEpoch(channel);
                if (empty != null) {
                    return CompletableFuture.completedFuture(empty(empty, since));
                }
                continue;
            }
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                long now = clock.getAsLong();
                trim(s, options, now);
                return CompletableFuture.completedFuture(since == null ? latest(s, limit) : after(s, since, limit));
            }
        }
    }

    /** A read of a channel without a stream: at offset 0 under {@code epoch}, holding nothing. */
    private static HistoryResult empty(String epoch, StreamPosition since) {
        StreamPosition at = new StreamPosition(0, epoch);
        return new HistoryResult(List.of(), at, since == null || since.equals(at));
    }

    private static HistoryResult latest(Stream s, int limit) {
        int size = s.items == null ? 0 : s.items.size();
        int from = Math.max(0, size - limit);
        List<Publication> out = new ArrayList<>(size - from);
        for (int i = from; i < size; i++) {
            out.add(s.items.get(i));
        }
        return new HistoryResult(out, s.position(), true);
    }

    private static HistoryResult after(Stream s, StreamPosition since, int limit) {
        boolean sameEpoch = since.epoch().equals(s.epoch);
        if (!sameEpoch || since.offset() > s.top) {
            return new HistoryResult(List.of(), s.position(), false);
        }
        if (since.offset() == s.top) {
            return new HistoryResult(List.of(), s.position(), true);
        }
        if (s.items == null || s.items.isEmpty() || s.items.oldestOffset() > since.offset() + 1) {
            return new HistoryResult(List.of(), s.position(), false);
        }
        int from = 0;
        while (from < s.items.size() && s.items.offsetAt(from) <= since.offset()) {
            from++;
        }
        int to = (int) Math.min(s.items.size(), (long) from + limit);
        List<Publication> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            out.add(s.items.get(i));
        }
        return new HistoryResult(out, s.position(), true);
    }

    @Override
    public CompletableFuture<StreamPosition> position(ChannelName channel, NamespaceConfig options) {
        while (true) {
            Stream s = streams.get(channel);
            if (s == null) {
                String empty = emptyEpoch(channel);
                if (empty != null) {
                    return CompletableFuture.completedFuture(new StreamPosition(0, empty));
                }
                continue;
            }
            synchronized (s) {
                if (!s.dropped) {
                    return CompletableFuture.completedFuture(s.position());
                }
            }
        }
    }

    /**
     * The epoch of a channel that has no stream, or null when it has one after all. Read in one
     * piece with the era, so an era change cannot fall between the two.
     */
    private String emptyEpoch(ChannelName channel) {
        long stamp = eraLock.tryOptimisticRead();
        String epoch = era;
        boolean none = !streams.containsKey(channel);
        if (!eraLock.validate(stamp)) {
            stamp = eraLock.readLock();
            try {
                epoch = era;
                none = !streams.containsKey(channel);
            } finally {
                eraLock.unlockRead(stamp);
            }
        }
        return none ? epoch : null;
    }

    private static void trim(Stream s, NamespaceConfig options, long now) {
        if (s.items == null) {
            return;
        }
        while (s.items.size() > options.historySize()) {
            s.items.removeFirst();
        }
        // Held while younger than the TTL: a publication exactly historyTtl old is gone.
        long oldestAllowed = now - options.historyTtl().toMillis();
        while (!s.items.isEmpty() && s.items.oldestTime() <= oldestAllowed) {
            s.items.removeFirst();
        }
    }

    private static void expireIdempotency(Stream s, long now) {
        if (s.idempotency != null) {
            s.idempotency.expire(now - IDEMPOTENCY_WINDOW_MILLIS);
            if (s.idempotency.isEmpty()) {
                s.idempotency = null;
            }
        }
    }

    /**
     * Trims what expired (publications past their TTL, idempotency keys past the window), drops the
     * streams that may go (see the class comment) and changes the era when streams of the current
     * one wait to go and it is at least {@link #MIN_ERA} old. Serialised: tests call it too.
     */
    public synchronized void sweep() {
        long now = clock.getAsLong();
        List<Map.Entry<ChannelName, Stream>> waiting = new ArrayList<>();
        for (Map.Entry<ChannelName, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            synchronized (s) {
                expireIdempotency(s, now);
                while (s.items != null && !s.items.isEmpty() && s.items.oldestTime() <= now - s.ttlMillis) {
                    s.items.removeFirst();
                }
                if (mayGo(e.getKey(), s)) {
                    if (s.top > 0 && s.epoch.equals(era)) {
                        waiting.add(e);
                    } else {
                        drop(e.getKey(), s);
                    }
                }
            }
        }
        if (!waiting.isEmpty() && now - eraStarted >= MIN_ERA.toMillis()) {
            changeEra(now);
            for (Map.Entry<ChannelName, Stream> e : waiting) {
                Stream s = e.getValue();
                synchronized (s) {
                    if (!s.dropped && mayGo(e.getKey(), s)) {
                        drop(e.getKey(), s);
                    }
                }
            }
        }
    }

    /** Holds nothing a reader or a retry could need, and nobody on this node is subscribed. Under the monitor. */
    private boolean mayGo(ChannelName channel, Stream s) {
        return (s.items == null || s.items.isEmpty()) && (s.idempotency == null || s.idempotency.isEmpty()) && !broker.isSubscribed(channel);
    }

    private void drop(ChannelName channel, Stream s) {
        s.dropped = true;
        streams.remove(channel, s);
    }

    /**
     * Pins the subscribed channels without a stream to the old era, then starts a new one. The pins
     * are made before the era changes, outside the lock: a pin under the current era answers just as
     * the channel did without one. Under the lock, which readers of channels without a stream wait
     * for, only the channels subscribed meanwhile are pinned, so the wait stays short.
     */
    private void changeEra(long now) {
        String old = era;
        Set<ChannelName> joined = broker.recordSubscribes();
        try {
            for (ChannelName channel : broker.subscribedChannels()) {
                streams.putIfAbsent(channel, new Stream(channel, old));
            }
            long stamp = eraLock.writeLock();
            try {
                for (ChannelName channel : joined) {
                    streams.putIfAbsent(channel, new Stream(channel, old));
                }
                String next = Epochs.next();
                while (next.equals(old)) {
                    next = Epochs.next();
                }
                era = next;
                eraStarted = now;
            } finally {
                eraLock.unlockWrite(stamp);
            }
        } finally {
            broker.stopRecording();
        }
    }

    /** Number of streams held (pins included). */
    @Override
    public int streamCount() {
        return streams.size();
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }
}
