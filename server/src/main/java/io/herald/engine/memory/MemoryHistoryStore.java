package io.herald.engine.memory;

import io.herald.config.NamespaceConfig;
import io.herald.engine.Broker;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Channel streams held in this process. Each stream is guarded by its own monitor; a publish
 * assigns the offset, appends and hands the publication to the {@link MemoryBroker} (which delivers
 * synchronously) while holding it, so fan-out order is offset order. A process restart loses every
 * stream; the new streams get new epochs, so clients are told they cannot recover.
 *
 * <p>A stream that has held nothing and seen no publish, read or subscribe for {@code streamIdle} is
 * dropped by a background sweep; if the channel is used again it starts over at offset 0 with a new epoch.
 */
public final class MemoryHistoryStore implements HistoryStore {
    /** Default time an empty, unused stream keeps its offset counter and epoch. */
    public static final Duration DEFAULT_STREAM_IDLE = Duration.ofHours(24);

    private final Broker broker;
    private final LongSupplier clock;
    private final long streamIdleMillis;
    private final ConcurrentHashMap<ChannelName, Stream> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    private static final ArrayDeque<Publication> NOTHING = new ArrayDeque<>(0);

    /** An idempotency key's publication: its offset and when it was accepted. */
    private record Recorded(long offset, long timestampMillis) {
    }

    /** A stream: all fields are guarded by the stream's monitor. */
    private static final class Stream {
        final String epoch = Epochs.next();
        /**
         * {@link #NOTHING} until the first publish, then small to start: many channels (a personal one
         * per user, say) hold little or nothing. Only {@code publish} adds, so the shared empty deque
         * is never modified.
         */
        ArrayDeque<Publication> items = NOTHING;
        /**
         * Idempotency key → where its publication went, oldest first; created on the first key. Only
         * offsets and times, never the publications: every publish has a key, and holding each one
         * for the whole window would keep publications long trimmed from history.
         */
        LinkedHashMap<String, Recorded> idempotency;
        long top;
        long lastUse;
        /** The namespace's history TTL at the last publish, so the sweep can trim without options. */
        long ttlMillis;
        boolean dropped;

        Stream(long now) {
            lastUse = now;
        }

        StreamPosition position() {
            return new StreamPosition(top, epoch);
        }
    }

    public MemoryHistoryStore(Broker broker) {
        this(broker, System::currentTimeMillis, DEFAULT_STREAM_IDLE, true);
    }

    /**
     * @param clock      milliseconds since the epoch; tests pass a controllable clock
     * @param streamIdle how long an empty, unused stream is kept
     * @param sweep      whether to run the background sweep (tests call {@link #sweep()} themselves)
     */
    public MemoryHistoryStore(Broker broker, LongSupplier clock, Duration streamIdle, boolean sweep) {
        this.broker = broker;
        this.clock = clock;
        this.streamIdleMillis = streamIdle.toMillis();
        if (sweep) {
            sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "herald-history-sweep");
                t.setDaemon(true);
                return t;
            });
            sweeper.scheduleWithFixedDelay(this::sweep, 30, 30, TimeUnit.SECONDS);
        } else {
            sweeper = null;
        }
    }

    @Override
    public CompletableFuture<PublishResult> publish(ChannelName channel, PublicationDraft draft, NamespaceConfig options) {
        while (true) {
            Stream s = stream(channel);
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                return CompletableFuture.completedFuture(publishLocked(s, channel, draft, options));
            }
        }
    }

    private PublishResult publishLocked(Stream s, ChannelName channel, PublicationDraft draft, NamespaceConfig options) {
        long now = clock.getAsLong();
        String key = draft.idempotencyKey();
        if (key != null) {
            expireIdempotency(s, now);
            Recorded first = s.idempotency == null ? null : s.idempotency.get(key);
            if (first != null) {
                return PublishResult.duplicate(new StreamPosition(first.offset(), s.epoch));
            }
        }
        long offset = s.top + 1;
        Publication p = Frames.publication(channel, draft.event(), draft.data(), offset, s.epoch, now, draft.user());
        s.top = offset;
        s.lastUse = now;
        s.ttlMillis = options.historyTtl().toMillis();
        if (options.historySize() > 0) {
            if (s.items == NOTHING) {
                s.items = new ArrayDeque<>(2);
            }
            s.items.addLast(p);
            trim(s, options, now);
        }
        if (key != null) {
            if (s.idempotency == null) {
                s.idempotency = new LinkedHashMap<>();
            }
            s.idempotency.put(key, new Recorded(offset, now));
        }
        broker.publish(p);
        return PublishResult.published(p);
    }

    @Override
    public CompletableFuture<HistoryResult> read(ChannelName channel, StreamPosition since, int limit,
                                                 NamespaceConfig options) {
        while (true) {
            Stream s = stream(channel);
            synchronized (s) {
                if (s.dropped) {
                    continue;
                }
                long now = clock.getAsLong();
                s.lastUse = now;
                trim(s, options, now);
                return CompletableFuture.completedFuture(since == null ? latest(s, limit) : after(s, since, limit));
            }
        }
    }

    private static HistoryResult latest(Stream s, int limit) {
        List<Publication> out = new ArrayList<>(Math.min(limit, s.items.size()));
        Iterator<Publication> it = s.items.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        return new HistoryResult(out.reversed(), s.position(), true);
    }

    private static HistoryResult after(Stream s, StreamPosition since, int limit) {
        boolean sameEpoch = since.epoch().equals(s.epoch);
        if (!sameEpoch || since.offset() > s.top) {
            return new HistoryResult(List.of(), s.position(), false);
        }
        if (since.offset() == s.top) {
            return new HistoryResult(List.of(), s.position(), true);
        }
        Publication oldest = s.items.peekFirst();
        if (oldest == null || oldest.offset() > since.offset() + 1) {
            return new HistoryResult(List.of(), s.position(), false);
        }
        List<Publication> out = new ArrayList<>();
        for (Publication p : s.items) {
            if (p.offset() > since.offset()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(p);
            }
        }
        return new HistoryResult(out, s.position(), true);
    }

    @Override
    public CompletableFuture<StreamPosition> position(ChannelName channel, NamespaceConfig options) {
        while (true) {
            Stream s = stream(channel);
            synchronized (s) {
                if (!s.dropped) {
                    s.lastUse = clock.getAsLong();
                    return CompletableFuture.completedFuture(s.position());
                }
            }
        }
    }

    private Stream stream(ChannelName channel) {
        return streams.computeIfAbsent(channel, c -> new Stream(clock.getAsLong()));
    }

    private static void trim(Stream s, NamespaceConfig options, long now) {
        while (s.items.size() > options.historySize()) {
            s.items.removeFirst();
        }
        // Held while younger than the TTL: a publication exactly historyTtl old is gone.
        long oldestAllowed = now - options.historyTtl().toMillis();
        while (!s.items.isEmpty() && s.items.peekFirst().timestampMillis() <= oldestAllowed) {
            s.items.removeFirst();
        }
    }

    private static void expireIdempotency(Stream s, long now) {
        if (s.idempotency == null) {
            return;
        }
        Iterator<Map.Entry<String, Recorded>> it = s.idempotency.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().timestampMillis() >= now - IDEMPOTENCY_WINDOW_MILLIS) {
                break;
            }
            it.remove();
        }
    }

    /**
     * Drops expired idempotency keys and streams that hold nothing and have been unused for the idle
     * time. Publications past their TTL are trimmed here as well as on every access.
     */
    public void sweep() {
        long now = clock.getAsLong();
        for (Map.Entry<ChannelName, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            synchronized (s) {
                expireIdempotency(s, now);
                while (!s.items.isEmpty() && s.items.peekFirst().timestampMillis() <= now - s.ttlMillis) {
                    s.items.removeFirst();
                }
                if (s.items.isEmpty() && (s.idempotency == null || s.idempotency.isEmpty())
                        && now - s.lastUse >= streamIdleMillis) {
                    s.dropped = true;
                    streams.remove(e.getKey(), s);
                }
            }
        }
    }

    /** Number of streams held; for tests and metrics. */
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
