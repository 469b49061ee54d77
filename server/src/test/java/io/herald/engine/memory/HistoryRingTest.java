package io.herald.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistoryRingTest {
    private static final ChannelName CHANNEL = ChannelName.of("chat:room");

    private static Publication publication(Random random, long offset) {
        byte[] frame = new byte[random.nextInt(8) == 0 ? 5_000 + random.nextInt(70_000) : random.nextInt(600)];
        random.nextBytes(frame);
        String user = switch (random.nextInt(3)) {
            case 0 -> null;
            case 1 -> "";
            default -> "user-" + random.nextInt(50) + "-ü✓";
        };
        String excluded = random.nextInt(4) == 0 ? "c_" + random.nextInt(1000) : null;
        String event = random.nextBoolean() ? "tick" : "event-" + random.nextInt(5) + "-日本";
        return new Publication(CHANNEL, event, offset, "e1", 1_000 + offset, user, frame, excluded);
    }

    private static void assertSame(Publication actual, Publication expected) {
        assertThat(actual.channel()).isEqualTo(CHANNEL);
        assertThat(actual.epoch()).isEqualTo("e1");
        assertThat(actual.offset()).isEqualTo(expected.offset());
        assertThat(actual.timestampMillis()).isEqualTo(expected.timestampMillis());
        assertThat(actual.event()).isEqualTo(expected.event());
        assertThat(actual.user()).isEqualTo(expected.user());
        assertThat(actual.excludeClient()).isEqualTo(expected.excludeClient());
        assertThat(actual.frame()).isEqualTo(expected.frame());
    }

    /** Random appends and removals from the front, read back against a deque of the same publications. */
    @Test
    void holdsWhatADequeOfPublicationsWouldThroughGrowthWrapAndShrink() {
        Random random = new Random(11);
        HistoryRing ring = new HistoryRing(CHANNEL, "e1");
        ArrayDeque<Publication> model = new ArrayDeque<>();
        long offset = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(100);
            if (op < 55 || model.isEmpty()) {
                Publication p = publication(random, ++offset);
                ring.addLast(p);
                model.addLast(p);
            } else if (op < 85) {
                int n = 1 + random.nextInt(Math.min(20, model.size()));
                for (int i = 0; i < n; i++) {
                    ring.removeFirst();
                    model.removeFirst();
                }
            } else {
                List<Publication> expected = new ArrayList<>(model);
                assertThat(ring.size()).isEqualTo(expected.size());
                assertThat(ring.oldestOffset()).isEqualTo(expected.getFirst().offset());
                assertThat(ring.oldestTime()).isEqualTo(expected.getFirst().timestampMillis());
                int i = random.nextInt(expected.size());
                assertThat(ring.offsetAt(i)).isEqualTo(expected.get(i).offset());
                assertSame(ring.get(i), expected.get(i));
            }
            if (step % 1000 == 0) {
                List<Publication> expected = new ArrayList<>(model);
                for (int i = 0; i < expected.size(); i++) {
                    assertSame(ring.get(i), expected.get(i));
                }
            }
        }
        while (!model.isEmpty()) {
            ring.removeFirst();
            model.removeFirst();
        }
        assertThat(ring.isEmpty()).isTrue();
        Publication after = new Publication(CHANNEL, "tick", offset + 1, "e1", 5, null,
                "{}".getBytes(StandardCharsets.UTF_8), null);
        ring.addLast(after);
        assertSame(ring.get(0), after);
    }
}
