package io.herald.session;

import io.herald.engine.HistoryResult;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery replay of one subscription, paced by the connection's socket. It writes offsets
 * {@code start+1 … subscribed.offset} from history, then the live publications the subscription held
 * meanwhile (those already replayed skipped), then the subscription goes live: every offset once, in
 * order, with no live publication before the replay's end.
 *
 * <p>Pacing: a publication is written only while the transport takes more without passing its pacing
 * mark ({@link Connection#isWritable()}, a quarter of {@code max_queue_bytes}); the replay resumes when
 * the transport reports it writable again, and reads the next page of history (about half of
 * {@code max_queue_bytes} of publications) once the current one is written. So a replay far larger
 * than {@code max_queue_bytes} reaches a client that reads, while one that stops reading holds at most
 * a page, its backlog and a full outbound queue until {@code write_timeout} closes it as a slow
 * consumer. When the subscription's backlog overflowed, the replay reads on from history up to the
 * newest publication it dropped.
 *
 * <p>Any break in continuity (history no longer holds the next offset, another epoch, a failed read, a
 * gap reported by the hub) ends the subscription with {@code insufficient_state} (see
 * {@link ChannelCommands#replayFailed}). Owned by the connection's thread; not thread-safe.
 */
final class Replay {
    private static final Logger log = LoggerFactory.getLogger(Replay.class);
    /** Publications the first history read returns, before their size is known. */
    static final int FIRST_PAGE = 16;
    /** The most publications a later page asks for. */
    static final int MAX_PAGE = 1000;

    private final SessionContext session;
    private final Connection conn;
    private final ChannelCommands owner;
    final Subscription sub;
    private final String epoch;
    /** {@code subscribed.offset}: the replay reaches at least this far from history. */
    private final long target;
    /** Bytes of publications one page should hold. */
    private final long pageBytes;
    /** The last offset written to the client. */
    private long cursor;
    /** The history page being written (null once written), and the index of its next publication. */
    private List<Publication> page;
    private int pageIndex;
    private long writtenCount;
    private long writtenBytes;
    private boolean reading;
    private boolean pumping;
    private boolean pumpScheduled;
    private boolean ended;

    /**
     * @param start    the offset after which the replay begins (the client's {@code since})
     * @param position the channel's position when the subscription took effect ({@code subscribed})
     * @param first    what the first read returned after {@code start}, in offset order
     */
    Replay(SessionContext session, ChannelCommands owner, Subscription sub, long start, StreamPosition position,
           List<Publication> first) {
        this.session = session;
        this.conn = session.connection();
        this.owner = owner;
        this.sub = sub;
        this.epoch = position.epoch();
        this.target = position.offset();
        this.cursor = start;
        this.page = first;
        this.pageBytes = Math.max(1, session.services().config().client().maxQueueBytes() / 2);
    }

    /** Called when the transport takes writes again: goes on after the connection's pending tasks. */
    void pumpSoon() {
        if (!pumpScheduled && !ended) {
            pumpScheduled = true;
            conn.execute(() -> {
                pumpScheduled = false;
                pump();
            });
        }
    }

    /** Writes what the transport takes now; reads the next page or goes live as the replay runs out. */
    void pump() {
        if (pumping || ended) {
            return;
        }
        pumping = true;
        int count = 0;
        long lastAccepted = 0;
        try {
            while (!ended && conn.isWritable()) {
                Publication p = nextToWrite();
                if (p == null) {
                    return;
                }
                // past the history pages come held live ones, which other subscribers got as shared frames
                conn.sendPublication(p, page == null);
                cursor = p.offset();
                writtenCount++;
                writtenBytes += p.frame().length;
                count++;
                lastAccepted = p.timestampMillis();
            }
        } finally {
            pumping = false;
            if (count > 0) {
                session.services().metrics().deliveries(count, lastAccepted);
            }
        }
    }

    /**
     * The publication after {@code cursor}: from the history page, else from history (a read), else from
     * the held live ones. Null when the replay must wait for a read, has finished, or has failed.
     */
    private Publication nextToWrite() {
        while (true) {
            if (sub.hasGap()) {
                fail("the node may have missed publications");
                return null;
            }
            if (page != null && pageIndex < page.size()) {
                Publication p = page.get(pageIndex++);
                // a page starts right after the cursor: a duplicate there breaks the order as a gap does
                if (NextOffset.of(cursor, epoch, p) != NextOffset.NEXT) {
                    fail("history skipped from " + cursor + " to " + p.position());
                    return null;
                }
                return p;
            }
            page = null;
            if (reading) {
                return null;
            }
            StreamPosition skipped = sub.skipped();
            if (skipped != null && !skipped.epoch().equals(epoch)) {
                fail("the channel's epoch changed during the replay");
                return null;
            }
            if (cursor < (skipped == null ? target : Math.max(target, skipped.offset()))) {
                read();
                if (ended) {
                    return null;
                }
                continue;
            }
            Publication held = sub.nextHeld();
            if (held == null) {
                finish();
                return null;
            }
            switch (NextOffset.of(cursor, epoch, held)) {
                case NEXT -> {
                    return held;
                }
                case GAP -> {
                    fail("live publication " + held.position() + " does not follow " + cursor);
                    return null;
                }
                case DUPLICATE -> {
                    // at or below the cursor: replayed from history already
                }
            }
        }
    }

    /** Reads the page after {@code cursor}; with the memory engine it completes at once, inside {@link #pump}. */
    private void read() {
        reading = true;
        long average = writtenCount == 0 ? 0 : Math.max(1, writtenBytes / writtenCount);
        int limit = average == 0 ? FIRST_PAGE : (int) Math.max(1, Math.min(MAX_PAGE, pageBytes / average));
        session.onLoop(session.services().engine().history().read(sub.channel, new StreamPosition(cursor, epoch), limit,
                sub.namespace), (HistoryResult r, Throwable error) -> {
                    reading = false;
                    if (ended) {
                        return;
                    }
                    if (error != null) {
                        log.warn("replay of {} could not read history", sub.channel, error);
                        fail("history could not be read");
                    } else if (!r.recovered() || r.publications().isEmpty()) {
                        fail("history no longer holds offset " + (cursor + 1));
                    } else {
                        page = r.publications();
                        pageIndex = 0;
                        pump();
                    }
                });
    }

    private void finish() {
        ended = true;
        owner.replayDone(this, new StreamPosition(cursor, epoch));
    }

    private void fail(String why) {
        ended = true;
        page = null;
        owner.replayFailed(this, why);
    }

    /** The subscription ended: nothing more is written or read. */
    void cancel() {
        ended = true;
        page = null;
    }
}
