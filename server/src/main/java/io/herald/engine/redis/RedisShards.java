package io.herald.engine.redis;

import io.herald.protocol.ChannelName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The Redis deployments of one engine. With several independent servers each channel lives on one
 * of them, chosen by a hash of its name (CRC-32 modulo the number of servers, so every node picks
 * the same one as long as all are configured with the same list in the same order). Node-wide data
 * (registry, control commands) lives on the first. A Redis Cluster counts as one deployment: it
 * shards by itself. Immutable.
 */
final class RedisShards implements AutoCloseable {
    private final List<RedisBackend> backends;

    RedisShards(List<RedisBackend> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("at least one Redis deployment is required");
        }
        this.backends = List.copyOf(backends);
    }

    RedisBackend forChannel(ChannelName channel) {
        if (backends.size() == 1) {
            return backends.getFirst();
        }
        CRC32 crc = new CRC32();
        crc.update(channel.value().getBytes(StandardCharsets.UTF_8));
        return backends.get((int) (crc.getValue() % backends.size()));
    }

    /** Where node-wide data lives. */
    RedisBackend first() {
        return backends.getFirst();
    }

    List<RedisBackend> all() {
        return backends;
    }

    boolean isOpen() {
        for (RedisBackend b : backends) {
            if (!b.isOpen()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        backends.forEach(RedisBackend::close);
    }
}
