package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The Pusher Channels protocol v7 on Herald's {@code /app/{key}} (see bench/PEER-CONTRACT.md):
 * {@code pusher:connection_established}, {@code pusher:subscribe} to the Pusher name of the channel
 * ({@code bench;fan} is Herald's {@code bench:fan}), {@code pusher:ping}/{@code pusher:pong}, and
 * events whose {@code data} is the payload as a JSON string (its quotes escaped). Pusher clients
 * cannot publish to a public channel, so the scenario's publisher speaks Herald's own protocol
 * ({@link #publisher()}): this is the same hub delivering to the other protocol.
 */
final class PusherProtocol implements Protocol {
    static final PusherProtocol INSTANCE = new PusherProtocol();
    /** The bench app's key (SystemServer writes the same app into Herald's config). */
    static final String KEY = "bench-key";
    private static final byte[] TICK = Bytes.ascii("{\"event\":\"tick\"");
    private static final byte[] ESTABLISHED = Bytes.ascii("{\"event\":\"pusher:connection_established\"");
    private static final byte[] SUCCEEDED = Bytes.ascii("{\"event\":\"pusher_internal:subscription_succeeded\"");
    private static final byte[] PING = Bytes.ascii("{\"event\":\"pusher:ping\"");
    private static final byte[] ERROR = Bytes.ascii("{\"event\":\"pusher:error\"");
    private static final byte[] EVENT = Bytes.ascii("{\"event\":\"");
    /** The payload's keys inside the escaped data string. */
    private static final byte[] T = Bytes.ascii("\\\"t\\\":");
    private static final byte[] SEQ = Bytes.ascii("\\\"seq\\\":");

    @Override
    public String path(String token) {
        return "/app/" + KEY + "?protocol=7&client=herald-bench&version=1.0";
    }

    @Override
    public void onOpen(Conn c) {
        // the server greets with pusher:connection_established first
    }

    @Override
    public void onFrame(Conn c, ByteBuf b) {
        int from = b.readerIndex();
        int to = b.writerIndex();
        if (Bytes.startsWith(b, TICK)) {
            c.delivery(b, from, to, T, SEQ);
        } else if (Bytes.startsWith(b, SUCCEEDED)) {
            c.subscribed();
        } else if (Bytes.startsWith(b, PING)) {
            c.send("{\"event\":\"pusher:pong\",\"data\":{}}");
        } else if (Bytes.startsWith(b, ESTABLISHED)) {
            joinChannels(c);
        } else if (Bytes.startsWith(b, ERROR)) {
            c.error(b.toString(io.netty.util.CharsetUtil.UTF_8));
        } else if (!Bytes.startsWith(b, EVENT)) {
            c.error("unexpected frame");
        }
    }

    @Override
    public void subscribe(Conn c, String channel) {
        c.send("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel.replace(':', ';') + "\"}}");
    }

    @Override
    public ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad) {
        return HeraldProtocol.INSTANCE.publish(alloc, channel, t, seq, channelSeq, pad);
    }

    /** The publisher's protocol: Herald's own, on the same node and channel. */
    static Protocol publisher() {
        return HeraldProtocol.INSTANCE;
    }
}
