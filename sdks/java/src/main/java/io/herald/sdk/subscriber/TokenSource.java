package io.herald.sdk.subscriber;

import io.herald.sdk.HeraldErrorCode;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a subscriber's tokens come from: a fixed token (or none: anonymous), or a supplier run on a
 * virtual thread of its own for each token (it may block; the event thread never does), bounded by
 * a timeout. Immutable; thread-safe.
 */
final class TokenSource {
    private final String fixed;
    private final Callable<String> supplier;

    TokenSource(String fixed, Callable<String> supplier) {
        this.fixed = fixed;
        this.supplier = supplier;
    }

    /** True when a new token can be had (after a 4003, on {@code refresh_required}). */
    boolean renewable() {
        return supplier != null;
    }

    /** The token for the next connection or refresh; fails when the supplier does (see {@link #failure}). */
    CompletableFuture<String> next(Duration timeout) {
        if (supplier == null) {
            return CompletableFuture.completedFuture(fixed);
        }
        CompletableFuture<String> fetched = new CompletableFuture<>();
        Thread.ofVirtual().name("herald-token").start(() -> {
            try {
                String token = supplier.call();
                if (token == null) {
                    throw new IllegalStateException("it returned null");
                }
                fetched.complete(token);
            } catch (Exception | Error e) {
                fetched.completeExceptionally(e);
            }
        });
        return fetched.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What a failed {@link #next} reports: {@code unauthorized}, temporary, naming the supplier's failure. */
    static HeraldSubscriberException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String what = cause instanceof TimeoutException ? "no token within the timeout" : cause.toString();
        return new HeraldSubscriberException(HeraldErrorCode.UNAUTHORIZED, "the token supplier failed: " + what, true, null);
    }
}
