package io.herald.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.IdempotencyKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdempotencyWindowTest {

    @Test
    void keysEndingInHeraldsOwnFormDecodeToTheirBitsAndOnlyTheCanonicalTextDoes() {
        for (int i = 0; i < 1000; i++) {
            String bits = IdempotencyKey.random();
            byte[] raw = java.util.Base64.getUrlDecoder().decode(bits);
            for (String key : List.of(bits, "u4:anna:" + bits, "caller's " + bits)) {
                assertThat(IdempotencyWindow.compact(key)).as(key).isTrue();
                assertThat(IdempotencyWindow.high(key)).isEqualTo(java.nio.ByteBuffer.wrap(raw).getLong(0));
                assertThat(IdempotencyWindow.low(key)).isEqualTo(java.nio.ByteBuffer.wrap(raw).getLong(8));
            }
        }
        assertThat(IdempotencyWindow.compact("AAAAAAAAAAAAAAAAAAAAAA")).isTrue();
        // the same 128 bits with one of the last character's unused bits set: another text, kept by its text
        assertThat(IdempotencyWindow.compact("AAAAAAAAAAAAAAAAAAAAAB")).isFalse();
        assertThat(IdempotencyWindow.compact("order-42")).isFalse();
        assertThat(IdempotencyWindow.compact("AAAAAAAAAAAAAAAAAAAA+A")).as("not URL-safe base64").isFalse();
        assertThat(IdempotencyWindow.compact("\u0416:AAAAAAAAAAAAAAAAAAAAAA")).as("a scope beyond Latin-1").isFalse();
        assertThat(IdempotencyWindow.compact("x".repeat(256) + "AAAAAAAAAAAAAAAAAAAAAA")).as("a scope over 255").isFalse();
    }

    @Test
    void theSameBitsUnderAnotherScopeOrInAnotherTextAreAnotherKey() {
        IdempotencyWindow w = new IdempotencyWindow();
        String bits = IdempotencyKey.random();
        w.record("u4:anna:" + bits, 1, 0);
        assertThat(w.offsetOf(bits)).isEqualTo(-1);
        assertThat(w.offsetOf("u4:bert:" + bits)).isEqualTo(-1);
        w.record(bits, 2, 0);
        w.record("u4:bert:" + bits, 3, 0);
        w.record("AAAAAAAAAAAAAAAAAAAAAA", 4, 0);
        w.record("AAAAAAAAAAAAAAAAAAAAAB", 5, 0);
        assertThat(w.offsetOf("u4:anna:" + bits)).isEqualTo(1);
        assertThat(w.offsetOf(bits)).isEqualTo(2);
        assertThat(w.offsetOf("u4:bert:" + bits)).isEqualTo(3);
        assertThat(w.offsetOf("AAAAAAAAAAAAAAAAAAAAAA")).isEqualTo(4);
        assertThat(w.offsetOf("AAAAAAAAAAAAAAAAAAAAAB")).isEqualTo(5);
    }

    /** Random records, lookups and expiries against a LinkedHashMap doing the same. */
    @Test
    void behavesAsAnInsertionOrderedMapThatForgetsByTime() {
        Random random = new Random(7);
        IdempotencyWindow w = new IdempotencyWindow();
        Map<String, Long> model = new LinkedHashMap<>();
        Map<String, Long> times = new LinkedHashMap<>();
        List<String> seen = new ArrayList<>();
        long now = 0;
        long offset = 0;
        for (int step = 0; step < 200_000; step++) {
            now += random.nextInt(3);
            int op = random.nextInt(100);
            if (op < 45) {
                String key = switch (random.nextInt(4)) {
                    case 0 -> "caller-" + random.nextInt(1_000_000);
                    case 1 -> IdempotencyKey.random();
                    default -> "u" + random.nextInt(100) + ":" + "x".repeat(random.nextInt(40)) + IdempotencyKey.random();
                };
                if (!model.containsKey(key)) {
                    w.record(key, ++offset, now);
                    model.put(key, offset);
                    times.put(key, now);
                    seen.add(key);
                }
            } else if (op < 90) {
                String key = seen.isEmpty() || random.nextInt(4) == 0 ? IdempotencyKey.random()
                        : seen.get(random.nextInt(seen.size()));
                assertThat(w.offsetOf(key)).as(key).isEqualTo(model.getOrDefault(key, -1L));
            } else {
                long oldestKept = now - random.nextInt(2_000);
                w.expire(oldestKept);
                times.entrySet().removeIf(e -> {
                    boolean gone = e.getValue() < oldestKept;
                    if (gone) {
                        model.remove(e.getKey());
                    }
                    return gone;
                });
                assertThat(w.isEmpty()).isEqualTo(model.isEmpty());
            }
            if (seen.size() > 50_000) {
                seen.subList(0, 25_000).clear();
            }
        }
        for (String key : seen) {
            assertThat(w.offsetOf(key)).isEqualTo(model.getOrDefault(key, -1L));
        }
        w.expire(Long.MAX_VALUE);
        assertThat(w.isEmpty()).isTrue();
    }
}
