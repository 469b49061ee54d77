package io.herald.engine.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.NamespaceConfig;
import io.herald.engine.HistoryResult;
import io.herald.engine.HistoryStore;
import io.herald.engine.PublicationDraft;
import io.herald.engine.PublishResult;
import io.herald.protocol.ChannelName;
import io.herald.protocol.Frames;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.Publication;
import io.herald.protocol.RawJson;
import io.herald.protocol.StreamPosition;
import io.lettuce.core.ScriptOutputType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Channel streams in Redis, shared by every node. A publish is one Lua script ({@code publish.lua})
 * that takes the next offset, appends to the history list, trims it by size and age, records the
 * idempotency key and publishes to the channel's pub/sub channel: Redis runs scripts one at a time,
 * so every node sees a channel's publications in offset order and history never disagrees with
 * what was delivered.
 *
 * <p><b>Only publications create keys.</b> A channel without a stream (never published to, expired,
 * or lost by Redis) is at offset 0 under the <i>era</i> of its Redis Cluster slot: one hash per slot
 * (so at most 16,384, whatever the channels), made inside Redis with a random epoch and replaced
 * once it is {@code era} old. A first publish creates the stream under the era's epoch, so a reader
 * told {@code {0, era}} recovers the first publications. An epoch never numbers two streams: a stream
 * made in the current era is kept until the era is over (plus a margin for the nodes' clocks; a
 * channel that gets a stream then goes through a later era), and a later stream of the channel gets
 * that later era's epoch. So a stream's keys live past its last publish for the longest of: its
 * history ({@code history_ttl}), its idempotency keys (the 5-minute window), the rest of its era if
 * it was made in the current one, and a whole era while any node is subscribed to the channel (also
 * renewed when a subscriber's node reads its position), so a live subscription does not see its
 * stream restart. Reads never create or prolong a key for a channel nobody subscribes to. If Redis
 * loses the eras too, new ones are made: clients holding old positions are told they cannot
 * recover.
 *
 * <p>A history entry is {@code "<offset> <timestamp> <header JSON>\n<data JSON>"}, the data being the
 * publisher's text ({@link RawJson}); every node builds the push frame from it the same way, so the
 * frame is byte-identical on every node and in history.
 * Timestamps, TTLs and eras follow this node's clock. Thread-safe and non-blocking; futures complete
 * on Lettuce's threads; an unreachable Redis fails them with {@code EngineUnavailableException} (nothing
 * was sent), one that did not answer with {@code EngineOutcomeUnknownException} (see {@link TrackedCommand}).
 */
public final class RedisHistoryStore implements HistoryStore {
    /** Default length of an era; a channel's stream made in the current one is kept that long at most. */
    public static final Duration DEFAULT_ERA = Duration.ofHours(24);
    private static final RedisScript PUBLISH = RedisScript.of("publish.lua", true);
    private static final RedisScript READ = RedisScript.of("read.lua", true);

    private final RedisShards shards;
    private final RedisKeys keys;
    private final LongSupplier clock;
    private final long eraMillis;

    /**
     * @param clock milliseconds since the epoch; tests pass a controllable clock
     * @param era   how long an era lasts (see the class comment)
     */
    RedisHistoryStore(RedisShards shards, RedisKeys keys, LongSupplier clock, Duration era) {
        this.shards = shards;
        this.keys = keys;
        this.clock = clock;
        this.eraMillis = era.toMillis();
    }

    @Override
    public CompletableFuture<PublishResult> publish(ChannelName channel, PublicationDraft draft, NamespaceConfig options) {
        RedisBackend redis = shards.forChannel(channel);
        String key = draft.idempotencyKey();
        String[] scriptKeys = key == null
                ? new String[] {keys.stream(channel), keys.history(channel), keys.era(channel)}
                : new String[] {keys.stream(channel), keys.history(channel), keys.era(channel),
                        keys.idempotency(channel, key)};
        CompletableFuture<List<Object>> reply = PUBLISH.run(redis, ScriptOutputType.MULTI, scriptKeys,
                payload(draft), ascii(clock.getAsLong()), ascii(options.historySize()),
                ascii(options.historyTtl().toMillis()), ascii(eraMillis), ascii(keys.fanout(channel)),
                ascii(redis.publishCommand()), ascii(IDEMPOTENCY_WINDOW_MILLIS));
        return reply.thenApply(r -> ((Long) r.get(0)) == 1L
                ? PublishResult.duplicate(new StreamPosition((Long) r.get(2), text(r.get(1))))
                : PublishResult.published(decode(channel, text(r.get(1)), (byte[]) r.get(2))));
    }

    @Override
    public CompletableFuture<HistoryResult> read(ChannelName channel, StreamPosition since, int limit,
                                                 NamespaceConfig options) {
        return run(channel, options, Math.max(1, limit), since);
    }

    @Override
    public CompletableFuture<StreamPosition> position(ChannelName channel, NamespaceConfig options) {
        return run(channel, options, 0, null).thenApply(HistoryResult::position);
    }

    private CompletableFuture<HistoryResult> run(ChannelName channel, NamespaceConfig options, int limit,
                                                 StreamPosition since) {
        RedisBackend redis = shards.forChannel(channel);
        CompletableFuture<List<Object>> reply = READ.run(redis, ScriptOutputType.MULTI,
                new String[] {keys.stream(channel), keys.history(channel), keys.era(channel)},
                ascii(clock.getAsLong()), ascii(options.historySize()), ascii(options.historyTtl().toMillis()),
                ascii(eraMillis), ascii(limit), ascii(since == null ? -1 : since.offset()),
                ascii(since == null ? "" : since.epoch()), ascii(keys.fanout(channel)), ascii(redis.publishCommand()));
        return reply.thenApply(r -> {
            String epoch = text(r.get(0));
            List<Publication> publications = new ArrayList<>();
            for (Object entry : (List<?>) r.get(3)) {
                publications.add(decode(channel, epoch, (byte[]) entry));
            }
            return new HistoryResult(publications, new StreamPosition((Long) r.get(1), epoch), ((Long) r.get(2)) == 1L);
        });
    }

    /** The part of an entry the publishing node writes: {@code <header JSON>\n<data JSON>}. */
    static byte[] payload(PublicationDraft draft) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(JsonCodec.object(g -> {
            g.writeStringField("e", draft.event());
            if (draft.user() != null) {
                g.writeStringField("u", draft.user());
            }
            if (draft.excludeClient() != null) {
                g.writeStringField("s", draft.excludeClient());
            }
        }));
        // the header is compact JSON without a raw newline, so the first one ends it
        out.write('\n');
        try {
            draft.data().writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Builds the publication of one history entry {@code "<offset> <timestamp> <payload>"}. */
    static Publication decode(ChannelName channel, String epoch, byte[] entry) {
        int s1 = indexOf(entry, (byte) ' ', 0);
        int s2 = indexOf(entry, (byte) ' ', s1 + 1);
        int nl = indexOf(entry, (byte) '\n', s2 + 1);
        long offset = Long.parseLong(new String(entry, 0, s1, StandardCharsets.US_ASCII));
        long timestamp = Long.parseLong(new String(entry, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII));
        try {
            JsonNode header = JsonCodec.MAPPER.readTree(entry, s2 + 1, nl - s2 - 1);
            // validated when it was published: kept as the publisher's text, not parsed again
            RawJson data = RawJson.ofValidated(entry, nl + 1, entry.length);
            JsonNode user = header.get("u");
            JsonNode skip = header.get("s");
            return Frames.publication(channel, header.get("e").textValue(), data, offset, epoch, timestamp,
                    user == null ? null : user.textValue(), skip == null ? null : skip.textValue());
        } catch (IOException e) {
            throw new IllegalStateException("unreadable history entry in channel " + channel, e);
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException("malformed history entry: no '" + (char) b + "' after position " + from);
    }

    static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }
}
