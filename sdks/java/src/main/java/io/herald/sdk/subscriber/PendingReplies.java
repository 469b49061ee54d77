package io.herald.sdk.subscriber;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.sdk.HeraldErrorCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Commands waiting for their reply, by id, each with a deadline. Loop only. */
final class PendingReplies {
    private record Waiter(CompletableFuture<JsonNode> reply, ScheduledFuture<?> timer) {
    }

    private final ScheduledExecutorService loop;
    private final Map<Integer, Waiter> waiting = new HashMap<>();
    private int nextId = 1;

    PendingReplies(ScheduledExecutorService loop) {
        this.loop = loop;
    }

    /** A new id and the future its reply completes (an {@code error} reply fails it). */
    Map.Entry<Integer, CompletableFuture<JsonNode>> register(Duration timeout) {
        int id = nextId++;
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        ScheduledFuture<?> timer = loop.schedule(() -> {
            if (waiting.remove(id) != null) {
                reply.completeExceptionally(new HeraldSubscriberException(HeraldErrorCode.TIMEOUT,
                        "no reply within " + timeout.toMillis() + " ms", true, null));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        waiting.put(id, new Waiter(reply, timer));
        return Map.entry(id, reply);
    }

    /** Settles the command {@code id}; false when none waits for it (a late reply). */
    boolean settle(int id, JsonNode frame) {
        Waiter w = waiting.remove(id);
        if (w == null) {
            return false;
        }
        w.timer().cancel(false);
        if ("error".equals(frame.path("type").asText())) {
            String word = frame.path("code").asText();
            HeraldErrorCode code = HeraldErrorCode.ofProtocolWord(word).orElse(HeraldErrorCode.INTERNAL);
            String message = frame.path("message").asText("");
            w.reply().completeExceptionally(new HeraldSubscriberException(code,
                    code == HeraldErrorCode.INTERNAL && !"internal".equals(word) ? word + ": " + message : message,
                    frame.path("temporary").asBoolean(false), null));
        } else {
            w.reply().complete(frame);
        }
        return true;
    }

    void rejectAll(HeraldSubscriberException error) {
        var all = new java.util.ArrayList<>(waiting.values());
        waiting.clear();
        for (Waiter w : all) {
            w.timer().cancel(false);
            w.reply().completeExceptionally(error);
        }
    }
}
