package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * The NATS text protocol over the server's WebSocket listener. WebSocket frame boundaries mean
 * nothing here: a frame may hold several protocol messages and a message may span frames, so the
 * bytes are parsed as a stream, keeping only an unfinished tail between frames.
 */
final class NatsProtocol implements Protocol {
    static final NatsProtocol INSTANCE = new NatsProtocol();
    private static final byte[] MSG = Bytes.ascii("MSG ");
    private static final byte[] PING = Bytes.ascii("PING");
    private static final byte[] PONG = Bytes.ascii("PONG");
    private static final byte[] INFO = Bytes.ascii("INFO ");
    private static final byte[] ERR = Bytes.ascii("-ERR");
    private static final byte[] CRLF = Bytes.ascii("\r\n");

    /** channel {@code bench:fan} is subject {@code bench.fan}. */
    static String subject(String channel) {
        return channel.replace(':', '.');
    }

    @Override
    public String path(String token) {
        return "/";
    }

    @Override
    public void onOpen(Conn c) {
        // the server sends INFO first
    }

    @Override
    public void onFrame(Conn c, ByteBuf content) {
        ByteBuf b = content;
        if (c.acc != null) {
            c.acc.writeBytes(content);
            b = c.acc;
        }
        while (b.isReadable() && parseOne(c, b)) {
            // keep going
        }
        if (b == c.acc) {
            if (!b.isReadable()) {
                c.acc.release();
                c.acc = null;
            } else {
                b.discardReadBytes();
            }
        } else if (b.isReadable()) {
            // an unfinished message: keep its bytes (rare, so per-connection buffers stay unallocated)
            c.acc = c.channel().alloc().buffer(Math.max(256, b.readableBytes() * 2));
            c.acc.writeBytes(b);
        }
    }

    /** Consumes one complete protocol message from {@code b}; false when it is incomplete. */
    private boolean parseOne(Conn c, ByteBuf b) {
        int from = b.readerIndex();
        int to = b.writerIndex();
        int eol = Bytes.indexOf(b, CRLF, from, to);
        if (eol < 0) {
            return false;
        }
        if (Bytes.matches(b, from, MSG)) {
            // MSG <subject> <sid> [reply-to] <#bytes>\r\n<payload>\r\n
            int sp = eol - 1;
            while (sp > from && b.getByte(sp) != ' ') {
                sp--;
            }
            long size = Bytes.digits(b, sp + 1, eol);
            int payloadStart = eol + 2;
            int end = payloadStart + (int) size;
            if (size < 0 || end + 2 > to) {
                return false;
            }
            c.delivery(b, payloadStart, end);
            b.readerIndex(end + 2);
            return true;
        }
        b.readerIndex(eol + 2);
        if (Bytes.matches(b, from, PING)) {
            c.send("PONG\r\n");
        } else if (Bytes.matches(b, from, PONG)) {
            if (c.channels().length == 0 && !c.isReady()) {
                c.markReady();
            } else {
                c.subscribed();
            }
        } else if (Bytes.matches(b, from, INFO)) {
            StringBuilder hello = new StringBuilder("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n");
            for (String ch : c.channels()) {
                hello.append("SUB ").append(subject(ch)).append(' ').append(c.nextSid()).append("\r\nPING\r\n");
            }
            if (c.channels().length == 0) {
                hello.append("PING\r\n");
            }
            c.send(hello.toString());
        } else if (Bytes.matches(b, from, ERR)) {
            c.error(b.toString(from, eol - from, io.netty.util.CharsetUtil.US_ASCII));
        }
        return true;
    }

    @Override
    public void subscribe(Conn c, String channel) {
        c.send("SUB " + subject(channel) + " " + c.nextSid() + "\r\nPING\r\n");
    }

    @Override
    public ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad) {
        int len = Protocol.payloadLength(channel, t, seq, channelSeq, pad);
        ByteBuf out = alloc.buffer(32 + len);
        ByteBufUtil.writeAscii(out, "PUB " + subject(channel) + " " + len + "\r\n");
        Protocol.writePayload(out, channel, t, seq, channelSeq, pad);
        ByteBufUtil.writeAscii(out, "\r\n");
        return out;
    }
}
