package io.herald.outbox;

import io.herald.api.ApiException;
import io.herald.api.BackendPublisher;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.RawJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes one batch of rows read in {@code id} order. Rows of one channel are published one after
 * the other, each only once the engine accepted the one before (so a channel's order is the rows'
 * order, and a refused row stops its channel for this round); different channels go at once. A row
 * that can never be published is not sent at all and comes back as {@link Dead}, without holding
 * back the rows after it. Used by the reader's thread; the futures complete on engine threads.
 */
final class OutboxRound {
    /** A row that can never be published, with the error the server API would have answered. */
    record Dead(OutboxRow row, ErrorCode code, String message) {
    }

    /**
     * What came of a round.
     *
     * @param published ids of the rows the engine accepted (a repeated key counts: it was published before)
     * @param dead      rows that can never be published
     * @param failure   the first failure that may pass (engine unreachable, answer lost, node draining,
     *                  a limit), or null; its row and the later rows of its channel were left in the table
     */
    record Outcome(List<Long> published, List<Dead> dead, Throwable failure) {
    }

    private OutboxRound() {
    }

    /** Starts publishing {@code rows}; the future never fails. */
    static CompletableFuture<Outcome> start(List<OutboxRow> rows, BackendPublisher publisher) {
        List<Dead> dead = new ArrayList<>();
        Map<String, CompletableFuture<Void>> chains = new LinkedHashMap<>();
        ConcurrentLinkedQueue<Long> published = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (OutboxRow row : rows) {
            Checked c;
            try {
                c = check(row);
            } catch (ApiException e) {
                dead.add(new Dead(row, e.code(), e.getMessage()));
                continue;
            }
            CompletableFuture<Void> before = chains.getOrDefault(c.channel().value(), CompletableFuture.completedFuture(null));
            // a failed link fails every later link of the channel without running it
            chains.put(c.channel().value(), before.thenCompose(v -> publisher.publish(c.channel(), c.type(), c.data(), row.key()))
                    .thenAccept(r -> published.add(row.id())));
        }
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (CompletableFuture<Void> chain : chains.values()) {
            ends.add(chain.exceptionally(e -> {
                failure.compareAndSet(null, e);
                return null;
            }));
        }
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                .thenApply(v -> new Outcome(List.copyOf(published), dead, failure.get()));
    }

    /** A row that passed the server API's checks. */
    private record Checked(ChannelName channel, String type, RawJson data) {
    }

    /** The server API's checks of a publish, applied to a row; throws what the API would answer. */
    private static Checked check(OutboxRow row) throws ApiException {
        if (row.channel() == null) {
            throw ApiException.badRequest("channel is null");
        }
        if (row.type() == null) {
            throw ApiException.badRequest("type is null");
        }
        if (row.dataBytes() > BackendPublisher.MAX_DATA_BYTES) {
            throw BackendPublisher.tooLarge();
        }
        if (row.data() == null) {
            throw ApiException.badRequest("data is null (store JSON null as 'null'::jsonb)");
        }
        ChannelName channel = BackendPublisher.channel(row.channel());
        String type = BackendPublisher.eventType(row.type());
        if (row.idempotencyKey() != null) {
            BackendPublisher.idempotencyKey(row.idempotencyKey());
        }
        return new Checked(channel, type, BackendPublisher.data(row.data()));
    }
}
