package io.herald.session;

import io.herald.engine.HistoryResult;
import io.herald.hub.ChannelMember;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.CommandParser;
import io.herald.protocol.Cursors;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One long-poll request: everything after the client's cursors, answered as soon as there is
 * something, or empty after the timeout. All its state lives in the cursors, so the next request
 * may go to any node.
 *
 * <p>It joins the hub like a subscription before reading history ({@link ChannelJoin}), so nothing
 * published after the read can slip past: publications that arrive during the read are held and
 * checked against the read's end, and later ones are taken only when they are the next offset of the
 * same epoch ({@link NextOffset}). A gap (or a new epoch) answers at once with what it has; the next
 * request's history read then recovers or reports the channel as unrecovered. No thread waits: the
 * request is parked on the hub and answered from the loop. Owned by that loop ({@code loop});
 * {@link #onPublication} runs there.
 */
public final class Poll {
    private final SessionServices services;
    private final List<ChannelName> channels;
    private final StreamPosition[] cursors;
    private final ScheduledExecutorService loop;
    private final long timeoutMillis;
    private final Consumer<byte[]> reply;
    /** Channels of the request the token does not allow: their slots stay empty ({@code -}). */
    private final List<ChannelRefusal> refused;
    /** The token's expiry (seconds since the epoch), or 0 when it has none. */
    private final long expires;
    /** The request's membership of each channel, in {@link #channels} order; null for a refused one. */
    private final Member[] members;
    private final List<Publication> found = new ArrayList<>();
    /** Bytes of the frames in {@link #found}; an answer holds at most {@code max_queue_bytes} (and always one). */
    private long foundBytes;
    private final List<ChannelName> unrecovered = new ArrayList<>();
    /** Publications that arrived while history was being read; null once the reads are done. */
    private List<Publication> held = new ArrayList<>();
    private boolean answered;
    private boolean answerScheduled;
    /** Why the request could not be answered with publications; set before {@code reply} gets null. */
    private Throwable failure;
    private ScheduledFuture<?> timer;

    /**
     * @param since   one entry per channel, null where the client has no position yet
     * @param loop    the thread that owns the request; {@code reply} is called on it, exactly once
     *                unless {@link #cancel} came first
     * @param reply   receives the JSON body {@code {"publications","cursors","unrecovered","refused"[,"expires"]}},
     *                or null when the engine failed or a channel was refused (see {@link #failure()})
     * @param refused channels of {@code channels} the token does not allow, not joined (at least one is allowed)
     * @param expires the token's expiry in seconds since the epoch, 0 when it has none
     */
    public Poll(SessionServices services, List<ChannelName> channels, List<StreamPosition> since, long timeoutMillis,
                ScheduledExecutorService loop, Consumer<byte[]> reply, List<ChannelRefusal> refused, long expires) {
        this.services = services;
        this.channels = List.copyOf(channels);
        this.cursors = since.toArray(StreamPosition[]::new);
        this.timeoutMillis = timeoutMillis;
        this.loop = loop;
        this.reply = reply;
        this.refused = List.copyOf(refused);
        this.expires = expires;
        this.members = new Member[this.channels.size()];
        Set<String> denied = new HashSet<>();
        refused.forEach(r -> denied.add(r.channel()));
        for (int i = 0; i < members.length; i++) {
            if (!denied.contains(this.channels.get(i).value())) {
                members[i] = new Member();
            } else {
                cursors[i] = null;
            }
        }
    }

    /** The request in one channel, as the hub holds it. */
    private final class Member extends ChannelMember {
        @Override
        public java.util.concurrent.Executor executor() {
            return loop;
        }

        @Override
        public boolean onPublication(Publication p) {
            return Poll.this.onPublication(p);
        }

        @Override
        public void onPresenceChange(byte[] frame) {
            // polling carries publications only
        }

        /** Answers with what is certain; the next request's history read fills in what was missed. */
        @Override
        public void onDeliveryInterrupted() {
            if (!answered) {
                answerSoon();
            }
        }
    }

    /** Joins the channels, reads what was missed and answers or waits; call on the loop. */
    public void start() {
        List<CompletableFuture<HistoryResult>> reads = new ArrayList<>(channels.size());
        for (int i = 0; i < channels.size(); i++) {
            ChannelName channel = channels.get(i);
            if (members[i] == null) {
                reads.add(CompletableFuture.completedFuture(null));
                continue;
            }
            reads.add(ChannelJoin.thenRead(services, channel, members[i], cursors[i], CommandParser.MAX_HISTORY_LIMIT));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .whenComplete((v, error) -> loop.execute(() -> afterReads(reads, error)));
    }

    private void afterReads(List<CompletableFuture<HistoryResult>> reads, Throwable error) {
        if (answered) {
            return;
        }
        if (error != null) {
            finish(error);
            return;
        }
        boolean positionOnly = false;
        for (int i = 0; i < channels.size(); i++) {
            HistoryResult r = reads.get(i).join();
            if (r == null) {
                continue; // refused: no position
            }
            if (cursors[i] == null) {
                positionOnly = true;
                cursors[i] = r.position();
            } else if (!r.recovered()) {
                unrecovered.add(channels.get(i));
                cursors[i] = r.position();
            } else {
                // the cursor moves only past what the answer holds: the rest comes with the next poll
                for (Publication p : r.publications()) {
                    if (!fits(p)) {
                        break;
                    }
                    add(p);
                    cursors[i] = p.position();
                }
            }
        }
        List<Publication> early = held;
        held = null;
        if (!found.isEmpty()) {
            services.metrics().deliveries(found.size(), found.getLast().timestampMillis());
        }
        for (Publication p : early) {
            take(p);
        }
        if (positionOnly || !found.isEmpty() || !unrecovered.isEmpty() || timeoutMillis == 0) {
            finish(null);
        } else if (!answered) {
            timer = loop.schedule(() -> finish(null), timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private boolean onPublication(Publication p) {
        if (answered) {
            return false;
        }
        if (held != null) {
            held.add(p);
            return false;
        }
        return take(p);
    }

    /** Adds the publication when it is the next one of its channel; a gap answers at once. */
    private boolean take(Publication p) {
        int i = channels.indexOf(p.channel());
        StreamPosition at = cursors[i];
        NextOffset v = NextOffset.of(at.offset(), at.epoch(), p);
        if (v == NextOffset.DUPLICATE) {
            return false;
        }
        if (v == NextOffset.GAP) {
            answerSoon();
            return false;
        }
        if (!fits(p)) {
            // full: this one is in history for the next poll (or reported unrecovered there)
            answerSoon();
            return false;
        }
        add(p);
        cursors[i] = p.position();
        answerSoon();
        return true;
    }

    private boolean fits(Publication p) {
        return found.isEmpty() || foundBytes + p.frame().length <= services.config().client().maxQueueBytes();
    }

    private void add(Publication p) {
        found.add(p);
        foundBytes += p.frame().length;
    }

    /** Answers after the current task, so publications handed over in the same pass go together. */
    private void answerSoon() {
        if (!answerScheduled) {
            answerScheduled = true;
            loop.execute(() -> finish(null));
        }
    }

    /** Answers now with what there is (the node is draining); callable from any thread. */
    public void finishNow() {
        loop.execute(() -> finish(null));
    }

    /** The client went away: leaves the channels without answering; callable from any thread. */
    public void cancel() {
        loop.execute(() -> {
            if (!answered) {
                answered = true;
                leave();
            }
        });
    }

    private void finish(Throwable error) {
        if (answered) {
            return;
        }
        answered = true;
        leave();
        if (error != null) {
            failure = error;
            reply.accept(null);
            return;
        }
        List<StreamPosition> positions = Arrays.asList(cursors);
        reply.accept(JsonCodec.object(g -> {
            Frames.writePublications(g, found);
            g.writeStringField("cursors", Cursors.format(positions));
            g.writeArrayFieldStart("unrecovered");
            for (ChannelName c : unrecovered) {
                g.writeString(c.value());
            }
            g.writeEndArray();
            if (!refused.isEmpty()) {
                g.writeArrayFieldStart("refused");
                for (ChannelRefusal r : refused) {
                    g.writeStartObject();
                    g.writeStringField("channel", r.channel());
                    g.writeStringField("code", r.code().wire());
                    g.writeStringField("message", r.message());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (expires > 0) {
                g.writeNumberField("expires", expires);
            }
        }));
    }

    /** Why {@code reply} got null (a {@code ChannelLimitException} when the hub refused a channel); on the loop. */
    public Throwable failure() {
        return failure;
    }

    private void leave() {
        if (timer != null) {
            timer.cancel(false);
        }
        for (int i = 0; i < members.length; i++) {
            if (members[i] != null) {
                services.hub().removeSubscriber(channels.get(i), members[i]);
            }
        }
    }
}
