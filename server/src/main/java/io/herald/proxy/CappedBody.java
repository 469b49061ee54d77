package io.herald.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an answer body of at most {@code max} bytes. A longer one (announced by
 * {@code Content-Length}, or found while reading) stops the read at once, cancelling the rest, and
 * fails with {@link TooLarge}: a backend cannot make a node buffer more than {@code max} per call.
 * Called by the HTTP client's threads, one signal at a time (the reactive-streams rule).
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The body is longer than the cap. */
    static final class TooLarge extends IOException {
        TooLarge(int max) {
            super("answer body over " + max + " bytes", null);
        }
    }

    private final int max;
    private final boolean announcedTooLarge;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    private CappedBody(int max, boolean announcedTooLarge) {
        this.max = max;
        this.announcedTooLarge = announcedTooLarge;
    }

    /** A handler whose bodies are capped at {@code max} bytes. */
    static HttpResponse.BodyHandler<byte[]> handler(int max) {
        return info -> new CappedBody(max, info.headers().firstValueAsLong("content-length").orElse(-1) > max);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (announcedTooLarge) {
            s.cancel();
            body.completeExceptionally(new TooLarge(max));
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            if (bytes.size() + b.remaining() > max) {
                subscription.cancel();
                body.completeExceptionally(new TooLarge(max));
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            bytes.writeBytes(chunk);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        body.complete(bytes.toByteArray());
    }
}
