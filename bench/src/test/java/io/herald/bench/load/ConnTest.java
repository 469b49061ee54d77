package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How one generator connection judges deliveries: the loss accounting every scenario relies on. */
class ConnTest {
    private static final Conn.Listener QUIET = new Conn.Listener() {
        @Override
        public void ready(Conn c) {
        }

        @Override
        public void failed(Conn c, String reason) {
        }
    };

    private static Conn conn(Stats stats, Stats.SeqCheck check, String... channels) {
        stats.seqCheck = check;
        return new Conn(HeraldProtocol.INSTANCE, stats, channels, QUIET);
    }

    private static void deliver(Conn c, String payload) {
        ByteBuf b = Unpooled.copiedBuffer(payload, StandardCharsets.US_ASCII);
        c.delivery(b, b.readerIndex(), b.writerIndex());
        b.release();
    }

    private static String onChannel(String channel, long seq, long cseq) {
        return "{\"t\":1,\"seq\":" + seq + ",\"ch\":\"" + channel + "\",\"cseq\":" + cseq + ",\"pad\":\"xx\"}";
    }

    @Test
    void perChannelNumbersAreJudgedSeparatelyForEachChannelOfTheConnection() {
        Stats stats = new Stats();
        Conn c = conn(stats, Stats.SeqCheck.PER_CHANNEL, "bench:u1", "bench:g0");
        deliver(c, onChannel("bench:u1", 10, 4));   // joined mid-stream: judged from here
        deliver(c, onChannel("bench:g0", 11, 7));
        deliver(c, onChannel("bench:u1", 12, 5));
        deliver(c, onChannel("bench:g0", 13, 8));
        assertThat(stats.received.sum()).isEqualTo(4);
        assertThat(stats.gaps.sum()).isZero();
        assertThat(stats.duplicates.sum()).isZero();
    }

    @Test
    void aSkippedNumberOnOneChannelCountsItsMissingPublicationsAsGapsAndARepeatAsADuplicate() {
        Stats stats = new Stats();
        Conn c = conn(stats, Stats.SeqCheck.PER_CHANNEL, "bench:u1", "bench:g0");
        deliver(c, onChannel("bench:g0", 1, 1));
        deliver(c, onChannel("bench:g0", 2, 4));
        deliver(c, onChannel("bench:g0", 3, 4));
        deliver(c, onChannel("bench:u1", 4, 1));
        assertThat(stats.gaps.sum()).isEqualTo(2);
        assertThat(stats.duplicates.sum()).isEqualTo(1);
    }

    @Test
    void aDeliveryForAChannelTheConnectionDidNotJoinIsMisroutedNotReceived() {
        Stats stats = new Stats();
        Conn c = conn(stats, Stats.SeqCheck.PER_CHANNEL, "bench:u1", "bench:g0");
        deliver(c, onChannel("bench:u10", 1, 1)); // a prefix of no joined name must not match bench:u1
        deliver(c, onChannel("bench:g01", 2, 1));
        c.offset(7); // Herald's offset of the misrouted delivery is not judged against any channel
        assertThat(stats.misrouted.sum()).isEqualTo(2);
        assertThat(stats.received.sum()).isZero();
        assertThat(stats.gaps.sum() + stats.duplicates.sum()).isZero();
    }

    @Test
    void heraldOffsetsCountALossOnEachChannelFromTheOffsetTheSubscribeReplyGave() {
        Stats stats = new Stats();
        Conn c = conn(stats, Stats.SeqCheck.PER_CHANNEL, "bench:u1", "bench:g0");
        c.initialOffset(1, 20);
        deliver(c, onChannel("bench:g0", 1, 5)); // first seen on this channel: seq alone cannot tell
        c.offset(23);                            // but the offset says two publications were missed
        assertThat(stats.gaps.sum()).isEqualTo(2);
    }

    @Test
    void strictGlobalSequenceCountsFromOneAndIgnoresChannelFields() {
        Stats stats = new Stats();
        Conn c = conn(stats, Stats.SeqCheck.STRICT, "bench:fan");
        deliver(c, "{\"t\":1,\"seq\":2,\"pad\":\"\"}");
        deliver(c, "{\"t\":1,\"seq\":3,\"pad\":\"\"}");
        deliver(c, "{\"t\":1,\"seq\":3,\"pad\":\"\"}");
        assertThat(stats.gaps.sum()).isEqualTo(1);
        assertThat(stats.duplicates.sum()).isEqualTo(1);
        assertThat(stats.received.sum()).isEqualTo(3);
    }
}
