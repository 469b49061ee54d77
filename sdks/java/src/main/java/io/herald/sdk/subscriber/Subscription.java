package io.herald.sdk.subscriber;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.sdk.HeraldErrorCode;
import io.herald.sdk.Publication;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One channel of a {@link HeraldSubscriber}; see {@link SubscriptionState} for its states.
 *
 * <p>Delivery contract: publication handlers see each offset of an epoch at most once and in
 * ascending order; whenever the stream cannot be continued without a hole (a {@code recovered:false}
 * resubscribe, a skipped offset, a new epoch), {@link #onGap} handlers run first. Every handler runs
 * on the subscriber's event thread, one at a time, in the order the frames arrived.
 *
 * <p>Thread-safety: the methods may be called from any thread; state and position are read
 * consistently only from a handler (the event thread).
 */
public final class Subscription {
    /** What a subscription needs from its client. */
    interface Host {
        void subscribeRequested(Subscription sub);

        void unsubscribeRequested(Subscription sub);

        void execute(Runnable task);

        void handlerFailed(RuntimeException e);
    }

    private final String channel;
    private final Host host;
    private final Listeners<StateChange<SubscriptionState>> states;
    private final Listeners<Gap> gaps;
    private final Listeners<Publication> publications;
    private final Listeners<HeraldSubscriberException> errors;
    /** Written on the event thread; volatile so other threads may look. */
    private volatile SubscriptionState state = SubscriptionState.UNSUBSCRIBED;
    /** Event thread: the last delivered (or, right after subscribing, the starting) position. */
    private volatile StreamPosition position;
    /** Event thread: the id of the subscribe command whose reply this subscription waits for; 0 for none. */
    int requestId;
    /** Event thread: the server made this subscription (token claim, server API). */
    boolean serverSide;

    Subscription(String channel, Host host) {
        this.channel = channel;
        this.host = host;
        this.states = new Listeners<>(host::handlerFailed);
        this.gaps = new Listeners<>(host::handlerFailed);
        this.publications = new Listeners<>(host::handlerFailed);
        this.errors = new Listeners<>(host::handlerFailed);
    }

    public String channel() {
        return channel;
    }

    public SubscriptionState state() {
        return state;
    }

    /** The last delivered position in the channel; null before the first {@code subscribed}. */
    public StreamPosition position() {
        return position;
    }

    /**
     * Calls {@code handler} with the data of every publication of event {@code event}, decoded into
     * {@code type} by Jackson ({@code JsonNode.class} for the tree). Data that does not decode is
     * reported to {@link #onError} ({@link HeraldErrorCode#BAD_RESPONSE}) and skipped for this
     * handler only. Running the returned handle removes the handler.
     */
    public <T> Runnable on(String event, Class<T> type, BiConsumer<? super T, Publication> handler) {
        return publications.add(pub -> {
            if (!pub.type().equals(event)) {
                return;
            }
            T data;
            try {
                data = type == JsonNode.class ? type.cast(pub.data()) : pub.dataAs(type);
            } catch (UncheckedIOException e) {
                errors.emit(new HeraldSubscriberException(HeraldErrorCode.BAD_RESPONSE, e.getMessage(), false, null));
                return;
            }
            handler.accept(data, pub);
        });
    }

    /** Every publication of the channel, whatever its event name. */
    public Runnable onPublication(Consumer<Publication> handler) {
        return publications.add(handler);
    }

    /** Publications were missed and will not be delivered: refetch the channel's state. */
    public Runnable onGap(Consumer<Gap> handler) {
        return gaps.add(handler);
    }

    public Runnable onState(Consumer<StateChange<SubscriptionState>> handler) {
        return states.add(handler);
    }

    /** A refused subscribe, a typed handler's undecodable data. */
    public Runnable onError(Consumer<HeraldSubscriberException> handler) {
        return errors.add(handler);
    }

    /** Starts (or keeps) the subscription; it becomes {@code SUBSCRIBED} once the client is connected. */
    public Subscription subscribe() {
        host.execute(() -> {
            if (state == SubscriptionState.UNSUBSCRIBED) {
                setState(SubscriptionState.SUBSCRIBING, null, null, null);
                host.subscribeRequested(this);
            }
        });
        return this;
    }

    /** Ends the subscription; the position is forgotten (a later subscribe starts at the live end). */
    public void unsubscribe() {
        host.execute(() -> {
            if (state == SubscriptionState.UNSUBSCRIBED) {
                return;
            }
            setState(SubscriptionState.UNSUBSCRIBED, null, null, "unsubscribe called");
            position = null;
            host.unsubscribeRequested(this);
        });
    }

    /** Completes once subscribed; fails when the subscription ends before that. */
    public CompletableFuture<Void> ready() {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        host.execute(() -> {
            if (state == SubscriptionState.SUBSCRIBED) {
                ready.complete(null);
                return;
            }
            Runnable[] off = new Runnable[1];
            off[0] = states.add(change -> {
                if (change.to() == SubscriptionState.SUBSCRIBED) {
                    off[0].run();
                    ready.complete(null);
                } else if (change.to() == SubscriptionState.UNSUBSCRIBED) {
                    off[0].run();
                    ready.completeExceptionally(new HeraldSubscriberException(
                            change.error() != null ? change.error() : HeraldErrorCode.NOT_SUBSCRIBED,
                            "subscription to " + channel + " ended: " + change.reason(), false, change.closeCode()));
                }
            });
        });
        return ready;
    }

    // ---- event thread ---------------------------------------------------------------------------

    void setState(SubscriptionState next, Integer closeCode, HeraldErrorCode error, String reason) {
        SubscriptionState old = state;
        if (old == next) {
            return;
        }
        state = next;
        if (next != SubscriptionState.SUBSCRIBING) {
            requestId = 0;
        }
        states.emit(new StateChange<>(old, next, closeCode, error, reason));
    }

    /** The server confirmed the subscription; a {@code recovered:false} after a known position is a gap. */
    void applySubscribed(long offset, String epoch, boolean recovered) {
        StreamPosition previous = position;
        boolean continues = recovered && previous != null && previous.epoch().equals(epoch);
        if (!continues) {
            position = new StreamPosition(offset, epoch);
            if (previous != null) {
                gaps.emit(new Gap(channel, Gap.Reason.NOT_RECOVERED, previous, position));
            }
        }
        setState(SubscriptionState.SUBSCRIBED, null, null, null);
    }

    /** Delivers a publication unless it is a duplicate or arrives outside {@code SUBSCRIBED}. */
    void deliver(Publication pub) {
        if (state != SubscriptionState.SUBSCRIBED) {
            return;
        }
        StreamPosition previous = position;
        if (previous != null && previous.epoch().equals(pub.epoch()) && pub.offset() <= previous.offset()) {
            return;
        }
        StreamPosition to = new StreamPosition(pub.offset(), pub.epoch());
        if (previous != null && !previous.epoch().equals(pub.epoch())) {
            gaps.emit(new Gap(channel, Gap.Reason.EPOCH_CHANGED, previous, to));
        } else if (previous != null && pub.offset() > previous.offset() + 1) {
            gaps.emit(new Gap(channel, Gap.Reason.OFFSET_JUMP, previous, to));
        }
        position = to;
        publications.emit(pub);
    }

    void failed(HeraldSubscriberException error) {
        errors.emit(error);
    }
}
