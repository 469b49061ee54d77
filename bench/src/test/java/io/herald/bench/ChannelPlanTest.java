package io.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.bench.load.Publisher;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelPlanTest {
    @Test
    void everyChannelNumbersItsPublicationsFromOneWithoutGaps() {
        ChannelPlan plan = new ChannelPlan(95, 10, 7);
        Map<String, Long> last = new HashMap<>();
        for (int i = 0; i < 5_000; i++) {
            Publisher.Target t = plan.next();
            long previous = last.getOrDefault(t.channel(), 0L);
            assertThat(t.channelSeq()).as(t.channel()).isEqualTo(previous + 1);
            last.put(t.channel(), t.channelSeq());
        }
        assertThat(plan.published()).isEqualTo(5_000);
        assertThat(last.keySet()).allMatch(c -> c.startsWith(ChannelPlan.USER) || c.startsWith(ChannelPlan.GROUP));
    }

    @Test
    void expectedDeliveriesCountOneForAUserAndEveryMemberForAGroupIncludingAShortLastGroup() {
        ChannelPlan plan = new ChannelPlan(95, 10, 11);
        assertThat(plan.groups()).isEqualTo(10);
        assertThat(plan.members(0)).isEqualTo(10);
        assertThat(plan.members(9)).isEqualTo(5);
        long owed = 0;
        for (int i = 0; i < 2_000; i++) {
            Publisher.Target t = plan.next();
            owed += t.channel().startsWith(ChannelPlan.USER) ? 1
                    : plan.members(Integer.parseInt(t.channel().substring(ChannelPlan.GROUP.length())));
        }
        assertThat(plan.expectedDeliveries()).isEqualTo(owed);
    }

    @Test
    void theSameSeedGivesTheSameSequenceOfChannels() {
        ChannelPlan a = new ChannelPlan(1_000, 10, 42);
        ChannelPlan b = new ChannelPlan(1_000, 10, 42);
        for (int i = 0; i < 100; i++) {
            assertThat(a.next()).isEqualTo(b.next());
        }
    }

    @Test
    void aPlanWithoutConnectionsIsRejected() {
        assertThatThrownBy(() -> new ChannelPlan(0, 10, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
