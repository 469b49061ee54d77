package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Herald's own idempotency keys come 16 bytes at a time out of a shared 4 KiB pool of the system's
 * random bits: no two calls, on any threads, may get the same bytes, and the bits must not lean.
 */
class IdempotencyKeyBitsTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 5_000;

    @Test
    void keysFromManyThreadsAcrossManyPoolsAreDistinctUnbiasedAndInTheCompactForm() throws Exception {
        List<String> keys = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<List<String>>> parts = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                parts.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int i = 0; i < PER_THREAD; i++) {
                        mine.add(IdempotencyKey.random());
                    }
                    return mine;
                }));
            }
            for (Future<List<String>> part : parts) {
                keys.addAll(part.get());
            }
        }
        // 20,000 keys use about 78 pools of 256 keys
        Set<String> distinct = new HashSet<>(keys);
        assertThat(distinct).hasSize(THREADS * PER_THREAD);
        int[] ones = new int[128];
        for (String key : keys) {
            assertThat(key).hasSize(22).matches("[A-Za-z0-9_-]{22}");
            byte[] bits = Base64.getUrlDecoder().decode(key);
            assertThat(bits).hasSize(16);
            for (int b = 0; b < 128; b++) {
                ones[b] += bits[b / 8] >> (7 - b % 8) & 1;
            }
        }
        // each bit is set in half the keys, within 6 standard deviations (sqrt(20,000 / 4) = 71)
        for (int b = 0; b < 128; b++) {
            assertThat(ones[b]).as("bit %d", b).isBetween(10_000 - 426, 10_000 + 426);
        }
    }
}
