package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** The raw `ws` peer: no subscribe, every text frame one connection sends goes to all the others. */
final class WsProtocol implements Protocol {
    static final WsProtocol INSTANCE = new WsProtocol();

    @Override
    public String path(String token) {
        return "/";
    }

    @Override
    public void onOpen(Conn c) {
        c.markReady();
    }

    @Override
    public void onFrame(Conn c, ByteBuf b) {
        c.delivery(b, b.readerIndex(), b.writerIndex());
    }

    @Override
    public void subscribe(Conn c, String channel) {
        c.subscribed(); // every connection already gets everything
    }

    @Override
    public ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad) {
        ByteBuf out = alloc.buffer(Protocol.payloadLength(channel, t, seq, channelSeq, pad));
        Protocol.writePayload(out, channel, t, seq, channelSeq, pad);
        return out;
    }
}
