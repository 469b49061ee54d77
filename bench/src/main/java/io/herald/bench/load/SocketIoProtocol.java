package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Socket.IO 4 over Engine.IO v4, WebSocket transport only: "0{…}" open, "40" namespace connect,
 * "2" ping answered with "3", and events as "42[name,arg]".
 */
final class SocketIoProtocol implements Protocol {
    static final SocketIoProtocol INSTANCE = new SocketIoProtocol();
    private static final byte[] TICK = Bytes.ascii("42[\"tick\"");
    private static final byte[] JOINED = Bytes.ascii("42[\"joined\"");
    private static final byte[] CONNECT = Bytes.ascii("40");
    private static final byte[] ERROR = Bytes.ascii("44");

    @Override
    public String path(String token) {
        return "/socket.io/?EIO=4&transport=websocket";
    }

    @Override
    public void onOpen(Conn c) {
        // the server sends the Engine.IO open packet "0{…}" first
    }

    @Override
    public void onFrame(Conn c, ByteBuf b) {
        if (Bytes.startsWith(b, TICK)) {
            c.delivery(b, b.readerIndex(), b.writerIndex());
            return;
        }
        int readable = b.readableBytes();
        byte type = readable > 0 ? b.getByte(b.readerIndex()) : 0;
        if (type == '2' && readable == 1) {
            c.send("3");
        } else if (type == '0') {
            c.send("40");
        } else if (Bytes.startsWith(b, JOINED)) {
            c.subscribed();
        } else if (Bytes.startsWith(b, ERROR)) {
            c.error(b.toString(io.netty.util.CharsetUtil.UTF_8));
        } else if (Bytes.startsWith(b, CONNECT)) {
            joinChannels(c);
        } else if (type == '1' || type == '4' && readable >= 2 && b.getByte(b.readerIndex() + 1) == '1') {
            c.error("server closed the session");
        }
    }

    @Override
    public void subscribe(Conn c, String channel) {
        c.send("42[\"join\",\"" + channel + "\"]");
    }

    @Override
    public ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad) {
        ByteBuf out = alloc.buffer(96 + channel.length() * 2 + pad.length);
        ByteBufUtil.writeAscii(out, "42[\"publish\",{\"room\":\"" + channel + "\",\"data\":");
        Protocol.writePayload(out, channel, t, seq, channelSeq, pad);
        ByteBufUtil.writeAscii(out, "}]");
        return out;
    }
}
