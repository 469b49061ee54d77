package io.herald.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.ProxyConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP client for the backend proxy: every call is a {@code POST} of a JSON body to the
 * kind's URL, answered by a {@link ProxyAnswer}. Fully asynchronous: {@link #call} returns at once,
 * and the answer completes on the client's own two threads (never a Netty event loop, which must
 * not wait on a backend); callers hop back to their connection's loop.
 *
 * <p>Every call is bounded: one deadline ({@code proxy.timeout}) from sending to the last byte of
 * the answer, an answer body of at most {@code proxy.max_response_size} (more is cut off and counts
 * as {@link ProxyOutcome#OVERSIZED}), at most {@code proxy.max_pending} calls of one kind waiting at
 * once (more are not sent: {@link ProxyOutcome#OVERLOADED}), and redirects are never followed (a
 * proxy URL names the backend; a redirect elsewhere is not an answer). The returned future never
 * fails: a failure is a {@link ProxyAnswer.Failed}. Thread-safe.
 */
public final class ProxyClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyClient.class);

    /** Told how each call ended, on the client's threads; the node's metrics. */
    @FunctionalInterface
    public interface Observer {
        void called(ProxyKind kind, ProxyOutcome outcome, long nanos);
    }

    private final ProxyConfig config;
    private final Observer observer;
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final Map<ProxyKind, AtomicInteger> pending = new EnumMap<>(ProxyKind.class);
    private final Map<ProxyKind, AtomicLong> lastWarning = new EnumMap<>(ProxyKind.class);
    /** Null when no kind is configured: a node without a proxy starts no threads. */
    private final ExecutorService executor;
    private final ScheduledExecutorService deadlines;
    private final HttpClient http;

    public ProxyClient(ProxyConfig config, Observer observer) {
        this.config = config;
        this.observer = observer;
        for (ProxyKind kind : ProxyKind.values()) {
            pending.put(kind, new AtomicInteger());
            lastWarning.put(kind, new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS));
        }
        if (config.urls().isEmpty()) {
            executor = null;
            deadlines = null;
            http = null;
            return;
        }
        executor = Executors.newFixedThreadPool(2, Thread.ofPlatform().name("herald-proxy-", 0).daemon().factory());
        deadlines = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("herald-proxy-deadlines").daemon().factory());
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout())
                .executor(executor)
                .build();
    }

    /** Whether {@code kind} has a URL. */
    public boolean has(ProxyKind kind) {
        return config.has(kind);
    }

    public ProxyConfig config() {
        return config;
    }

    /**
     * POSTs {@code body} (a JSON object) to the URL of {@code kind}, with the static headers and
     * {@code forwarded} (client headers, already filtered to {@code proxy.headers}; the static ones
     * win, though the config keeps the two apart). {@code resultProblem} checks a {@code result}
     * against the kind's shape: null when it is one, else what is wrong, which makes the answer
     * {@link ProxyOutcome#MALFORMED} (counted and logged so).
     *
     * @throws IllegalStateException when {@code kind} has no URL (callers check {@link #has} first)
     */
    public CompletableFuture<ProxyAnswer> call(ProxyKind kind, byte[] body, Map<String, String> forwarded,
                                               Function<ObjectNode, String> resultProblem) {
        if (!config.has(kind)) {
            throw new IllegalStateException("proxy." + kind.key() + " is not configured");
        }
        AtomicInteger waiting = pending.get(kind);
        if (waiting.incrementAndGet() > config.maxPending()) {
            waiting.decrementAndGet();
            observer.called(kind, ProxyOutcome.OVERLOADED, 0);
            return CompletableFuture.completedFuture(new ProxyAnswer.Failed(ProxyOutcome.OVERLOADED,
                    config.maxPending() + " " + kind.key() + " calls already waiting (proxy.max_pending)"));
        }
        Call call = new Call(kind, waiting);
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(request(kind, body, forwarded), CappedBody.handler(config.maxResponseBytes()));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HttpResponse<byte[]>> exchange = sent;
        // one deadline for the whole exchange: the request timeout of java.net.http ends with the headers
        call.deadline = deadlines.schedule(() -> {
            if (call.finish(new ProxyAnswer.Failed(ProxyOutcome.TIMEOUT, "no answer within " + config.timeout()))) {
                exchange.cancel(true);
            }
        }, config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        exchange.whenComplete((res, error) -> call.finish(error == null
                ? checked(AnswerShape.read(res.statusCode(), res.body()), resultProblem) : failure(error)));
        return call.answer;
    }

    /** One call sent: ends once, by its answer or its deadline, whichever comes first. */
    private final class Call {
        final CompletableFuture<ProxyAnswer> answer = new CompletableFuture<>();
        private final ProxyKind kind;
        private final AtomicInteger waiting;
        private final long started = System.nanoTime();
        private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        /** Set right after sending; read when the call ends (the deadline cannot fire before it is set). */
        volatile ScheduledFuture<?> deadline;

        Call(ProxyKind kind, AtomicInteger waiting) {
            this.kind = kind;
            this.waiting = waiting;
        }

        /**
         * Ends the call with {@code a}; false when it had ended. The pending count drops before the
         * answer completes, so what the caller does next (the connection's next command) finds room.
         */
        boolean finish(ProxyAnswer a) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            waiting.decrementAndGet();
            if (a instanceof ProxyAnswer.Failed f) {
                logFailure(kind, f);
            }
            observer.called(kind, a.outcome(), System.nanoTime() - started);
            answer.complete(a);
            return true;
        }
    }

    /** The answer, or a malformed one when it is a result {@code resultProblem} finds fault with. */
    private static ProxyAnswer checked(ProxyAnswer answer, Function<ObjectNode, String> resultProblem) {
        if (answer instanceof ProxyAnswer.Result r) {
            String problem;
            try {
                problem = resultProblem.apply(r.result());
            } catch (RuntimeException e) {
                problem = "result could not be read: " + e;
            }
            if (problem != null) {
                return new ProxyAnswer.Failed(ProxyOutcome.MALFORMED, "result: " + problem);
            }
        }
        return answer;
    }

    /** A warning at most every 10 s per kind (a backend outage fails every call), the rest at debug. */
    private void logFailure(ProxyKind kind, ProxyAnswer.Failed f) {
        long now = System.nanoTime();
        AtomicLong last = lastWarning.get(kind);
        long previous = last.get();
        if (now - previous >= WARN_EVERY_NANOS && last.compareAndSet(previous, now)) {
            log.warn("proxy {} call to {} failed: {}: {} (further failures within 10 s are logged at debug)",
                    kind.key(), config.url(kind), f.outcome().label(), f.detail());
        } else {
            log.debug("proxy {} call failed: {}: {}", kind.key(), f.outcome().label(), f.detail());
        }
    }

    private HttpRequest request(ProxyKind kind, byte[] body, Map<String, String> forwarded) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.url(kind))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        forwarded.forEach((name, value) -> {
            if (!config.staticHeaders().containsKey(name)) {
                b.header(name, value);
            }
        });
        config.staticHeaders().forEach(b::setHeader);
        return b.build();
    }

    private ProxyAnswer.Failed failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException || cause instanceof CancellationException) {
            return new ProxyAnswer.Failed(ProxyOutcome.TIMEOUT, "no answer within " + config.timeout());
        }
        if (cause instanceof CappedBody.TooLarge) {
            return new ProxyAnswer.Failed(ProxyOutcome.OVERSIZED, cause.getMessage() + " (proxy.max_response_size)");
        }
        if (cause instanceof IOException) {
            return new ProxyAnswer.Failed(ProxyOutcome.UNREACHABLE, cause.toString());
        }
        return new ProxyAnswer.Failed(ProxyOutcome.UNREACHABLE, "call failed: " + cause);
    }

    /** Stops the client's threads; calls still waiting fail as unreachable. */
    @Override
    public void close() {
        if (executor != null) {
            deadlines.shutdownNow();
            executor.shutdownNow();
            http.shutdownNow();
        }
    }
}
