package io.herald.webhook;

import io.herald.engine.HookStore;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.WebhookFailure;
import io.herald.metrics.WebhookOutcome;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one hook's queue from this node: claims ready channels from the {@link HookStore} (at
 * most {@code max_in_flight} requests open at a time), POSTs each channel's batch signed, and reports
 * the outcome, which makes the channel's next batch ready or schedules a retry. A channel has one
 * batch out at a time, so its events arrive in order. Requests are asynchronous on the shared
 * {@link HttpClient}; each has a deadline (cancelled past it), redirects are not followed and at most
 * {@link #MAX_ANSWER_BYTES} of an answer are read. Thread-safe.
 */
final class WebhookSender {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    /** Events in one delivery. */
    static final int BATCH = 100;
    /** Bytes of a hook's answer read before the rest is discarded unread. */
    static final long MAX_ANSWER_BYTES = 64 * 1024;
    static final long FIRST_RETRY_MILLIS = 1000;
    static final long MAX_RETRY_MILLIS = 5 * 60 * 1000;
    static final long POLL_MILLIS = 200;

    private final HookTarget config;
    private final String hookId;
    private final HookStore store;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final HeraldMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** True while a claim is on its way, so polls do not pile up claims. */
    private final AtomicBoolean claiming = new AtomicBoolean();
    /** Set when a poll found a claim on its way: claim again once it is back. */
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile long depth;
    private volatile boolean closed;

    WebhookSender(HookTarget config, HookStore store, HttpClient http, ScheduledExecutorService timer,
                  HeraldMetrics metrics) {
        this.config = config;
        this.hookId = config.id();
        this.store = store;
        this.http = http;
        this.timer = timer;
        this.metrics = metrics;
        metrics.webhookQueueGauge(hookId, () -> depth);
    }

    void start() {
        timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(() -> store.depth(hookId).thenAccept(d -> depth = d), 0, 1, TimeUnit.SECONDS);
    }

    /** Polls on the sender's own thread now (the caller may be an engine thread). */
    void soon() {
        if (!closed) {
            try {
                timer.execute(this::poll);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** Claims as many ready channels as there are free request slots. */
    void poll() {
        int free = config.maxInFlight() - inFlight.get();
        if (closed || free <= 0) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        // a lease outlives the request's deadline, so only a stalled or dead node loses its claim
        long lease = 2 * config.timeout().toMillis() + 5000;
        store.claim(hookId, free, BATCH, lease).whenComplete((batches, error) -> {
            claiming.set(false);
            if (again.getAndSet(false)) {
                soon();
            }
            if (error != null) {
                log.debug("webhook {}: claim failed: {}", config.redactedUrl(), error.toString());
                return;
            }
            batches.forEach(this::send);
            if (batches.size() == free) {
                soon();
            }
        });
    }

    private void send(HookStore.Batch batch) {
        if (batch.expired() > 0) {
            metrics.webhookEvents(WebhookOutcome.EXPIRED, batch.expired());
            log.warn("webhook {}: dropped {} events of {} older than max_age {} (never delivered)",
                    config.redactedUrl(), batch.expired(), batch.channel(), config.maxAge());
        }
        List<HookStore.QueuedEvent> events = batch.events();
        if (events.isEmpty()) {
            return;
        }
        byte[] body = config.format().body(batch, System.currentTimeMillis());
        if (body == null) {
            // none of these events is for this hook (channels it cannot name): done without a request
            report(store.delivered(hookId, batch));
            return;
        }
        inFlight.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.newBuilder(config.url())
                .timeout(config.timeout())
                .header("Content-Type", "application/json");
        config.format().headers(body).forEach(b::header);
        HttpRequest request = b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        CompletableFuture<HttpResponse<Void>> exchange;
        try {
            exchange = http.sendAsync(request, info -> new CappedDiscard(MAX_ANSWER_BYTES));
        } catch (RuntimeException e) {
            exchange = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<Void>> f = exchange;
        // the request timeout covers the wait for the answer's head; this deadline covers its body too
        timer.schedule(() -> f.cancel(true), config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        f.whenComplete((response, error) -> {
            inFlight.decrementAndGet();
            if (error == null && response.statusCode() / 100 == 2) {
                metrics.webhookEvents(WebhookOutcome.SENT, events.size());
                metrics.webhookDelivered(events.getFirst().timeMillis());
                report(store.delivered(hookId, batch));
            } else {
                WebhookFailure cause = error == null ? WebhookFailure.STATUS : cause(error);
                metrics.webhookFailed(cause);
                metrics.webhookEvents(WebhookOutcome.RETRIED, events.size());
                log.debug("webhook {}: delivery of {} events of {} failed ({}), attempt {}", config.redactedUrl(),
                        events.size(), batch.channel(), error == null ? "status " + response.statusCode() : error.toString(),
                        batch.attempts() + 1);
                report(store.failed(hookId, batch, FIRST_RETRY_MILLIS, MAX_RETRY_MILLIS));
            }
        });
    }

    private void report(CompletableFuture<Void> outcome) {
        outcome.whenComplete((v, e) -> {
            if (e != null) {
                // the lease runs out and the batch goes again: at least once, never lost
                log.debug("webhook {}: could not record a delivery outcome: {}", config.redactedUrl(), e.toString());
            }
            soon();
        });
    }

    private static WebhookFailure cause(Throwable error) {
        Throwable c = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return c instanceof HttpTimeoutException || c instanceof CancellationException ? WebhookFailure.TIMEOUT
                : WebhookFailure.NETWORK;
    }

    void close() {
        closed = true;
    }

    /** Reads an answer's body up to a cap and discards it; past the cap the stream is cancelled. */
    private static final class CappedDiscard implements HttpResponse.BodySubscriber<Void> {
        private final long cap;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long seen;

        CappedDiscard(long cap) {
            this.cap = cap;
        }

        @Override
        public CompletableFuture<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                seen += b.remaining();
            }
            if (seen > cap && !done.isDone()) {
                subscription.cancel();
                done.complete(null);
            }
        }

        @Override
        public void onError(Throwable t) {
            // the status is what counts; a body cut short changes nothing
            done.complete(null);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }
}
