package io.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-second cache of {@link Frames#timestamp} and the reused buffers of {@link JsonCodec#object}. */
class FramesTimestampTest {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void timestampsMatchTheFormatterAcrossSecondsAndBackInTime() {
        SplittableRandom random = new SplittableRandom(7);
        long base = 1_798_761_600_000L; // 2027-01-01T00:00:00Z
        for (int i = 0; i < 20_000; i++) {
            // runs inside one second, jumps across seconds, and now and then back to an earlier one
            long millis = i % 97 == 0 ? base - random.nextLong(1_000_000_000L) : base + i * 7L + random.nextInt(3);
            assertThat(Frames.timestamp(millis)).isEqualTo(FORMAT.format(Instant.ofEpochMilli(millis)));
        }
        assertThat(Frames.timestamp(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(Frames.timestamp(999)).isEqualTo("1970-01-01T00:00:00.999Z");
    }

    @Test
    void nestedAndLargeObjectsEncodeWholeAndLeaveNoBytesBehind() {
        byte[] inner = JsonCodec.object(g -> g.writeStringField("a", "x".repeat(100_000)));
        byte[] outer = JsonCodec.object(g -> {
            g.writeStringField("before", "b");
            // an object encoded while another is being written gets its own buffer
            byte[] nested = JsonCodec.object(n -> n.writeNumberField("n", 1));
            g.writeStringField("nested", new String(nested, java.nio.charset.StandardCharsets.UTF_8));
        });
        assertThat(inner).hasSize(100_000 + 8);
        assertThat(new String(outer, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"before\":\"b\",\"nested\":\"{\\\"n\\\":1}\"}");
        assertThat(JsonCodec.object(g -> g.writeBooleanField("t", true))).asString().isEqualTo("{\"t\":true}");
    }
}
