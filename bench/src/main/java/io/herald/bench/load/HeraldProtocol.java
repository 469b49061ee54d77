package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/** Herald's JSON protocol: connected, subscribe/subscribed, publish, event pushes with offsets. */
final class HeraldProtocol implements Protocol {
    static final HeraldProtocol INSTANCE = new HeraldProtocol();
    private static final byte[] TYPE = Bytes.ascii("{\"type\":\"");
    private static final byte[] TICK = Bytes.ascii("{\"type\":\"tick\"");
    private static final byte[] CONNECTED = Bytes.ascii("{\"type\":\"connected\"");
    private static final byte[] SUBSCRIBED = Bytes.ascii("{\"type\":\"subscribed\"");
    private static final byte[] ERROR = Bytes.ascii("{\"type\":\"error\"");

    @Override
    public String path(String token) {
        return "/ws?token=" + token;
    }

    @Override
    public void onOpen(Conn c) {
        // nothing to send: the server greets with "connected" first
    }

    @Override
    public void onFrame(Conn c, ByteBuf b) {
        int from = b.readerIndex();
        int to = b.writerIndex();
        if (Bytes.startsWith(b, TICK)) {
            c.delivery(b, from, to);
            long offset = Bytes.digits(b, Bytes.lastIndexOf(b, Bytes.OFFSET, from, to) + Bytes.OFFSET.length, to);
            c.offset(offset);
        } else if (Bytes.startsWith(b, SUBSCRIBED)) {
            c.initialOffset(c.slotOf(b, Bytes.CHANNEL, from, to), Bytes.number(b, Bytes.OFFSET, from, to));
            c.subscribed();
        } else if (Bytes.startsWith(b, CONNECTED)) {
            joinChannels(c);
        } else if (Bytes.startsWith(b, ERROR)) {
            c.error(b.toString(io.netty.util.CharsetUtil.UTF_8));
        } else if (!Bytes.startsWith(b, TYPE)) {
            c.error("unexpected frame");
        }
    }

    @Override
    public void subscribe(Conn c, String channel) {
        c.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
    }

    @Override
    public ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad) {
        ByteBuf out = alloc.buffer(128 + channel.length() * 2 + pad.length);
        ByteBufUtil.writeAscii(out, "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"tick\",\"data\":");
        Protocol.writePayload(out, channel, t, seq, channelSeq, pad);
        out.writeByte('}');
        return out;
    }
}
