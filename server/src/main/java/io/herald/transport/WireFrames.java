package io.herald.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Server-to-client WebSocket frames written as bytes (RFC 6455 §5.2: unfragmented, unmasked). The
 * connection writes these straight to the socket instead of keeping Netty's frame encoder in every
 * pipeline: one pipeline stage costs about 90 bytes per connection, and the header is a few bytes.
 */
final class WireFrames {
    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** An empty ping, shared: writes take a duplicate, and releasing it does nothing. */
    private static final ByteBuf EMPTY_PING = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte(0x80 | PING).writeByte(0));

    private WireFrames() {
    }

    static ByteBuf ping() {
        return EMPTY_PING.duplicate();
    }

    static ByteBuf text(byte[] payload, ByteBufAllocator alloc) {
        return header(TEXT, payload.length, alloc).writeBytes(payload);
    }

    /** A frame carrying {@code payload}'s readable bytes (which are not consumed). */
    static ByteBuf of(int opcode, ByteBuf payload, ByteBufAllocator alloc) {
        int len = payload.readableBytes();
        return header(opcode, len, alloc).writeBytes(payload, payload.readerIndex(), len);
    }

    /** A close frame with a status code and a UTF-8 reason of at most 123 bytes. */
    static ByteBuf close(int code, byte[] reason, ByteBufAllocator alloc) {
        return header(CLOSE, 2 + reason.length, alloc).writeShort(code).writeBytes(reason);
    }

    /** A direct buffer sized for the frame, holding its header. */
    private static ByteBuf header(int opcode, int len, ByteBufAllocator alloc) {
        int header = len < 126 ? 2 : len < 65536 ? 4 : 10;
        ByteBuf buf = alloc.directBuffer(header + len);
        buf.writeByte(0x80 | opcode);
        if (len < 126) {
            buf.writeByte(len);
        } else if (len < 65536) {
            buf.writeByte(126);
            buf.writeShort(len);
        } else {
            buf.writeByte(127);
            buf.writeLong(len);
        }
        return buf;
    }
}
