package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * How one system is spoken over WebSocket (see bench/PEER-CONTRACT.md). Implementations are
 * stateless singletons; per-connection state lives in {@link Conn}.
 */
public interface Protocol {
    /** Request path (with query) of the WebSocket upgrade; {@code token} is Herald's JWT, ignored by others. */
    String path(String token);

    /** The WebSocket handshake completed: say hello and subscribe to {@link Conn#channels()}. */
    void onOpen(Conn c);

    /** One data frame's content (not to be released here). */
    void onFrame(Conn c, ByteBuf content);

    /** Subscribes a ready connection to one more channel (churn, many-channel scenarios). */
    void subscribe(Conn c, String channel);

    /** Once the session is up: a connection with no channels is ready; otherwise join each of them. */
    default void joinChannels(Conn c) {
        if (c.channels().length == 0) {
            c.markReady();
        }
        for (String ch : c.channels()) {
            subscribe(c, ch);
        }
    }

    /** A complete publish frame carrying {@code {"t":t,"seq":seq,"pad":"…"}} to {@code channel}. */
    ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, byte[] pad);

    static Protocol of(String system) {
        return switch (system) {
            case "herald" -> HeraldProtocol.INSTANCE;
            case "ws" -> WsProtocol.INSTANCE;
            case "socketio", "netty-socketio" -> SocketIoProtocol.INSTANCE;
            case "nats" -> NatsProtocol.INSTANCE;
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    /** Length in bytes of the payload {@link #writePayload} writes. */
    static int payloadLength(long t, long seq, byte[] pad) {
        return 22 + decimalLength(t) + decimalLength(seq) + pad.length;
    }

    /** Writes {@code {"t":t,"seq":seq,"pad":"pad"}}, the payload of every system (the peer contract). */
    static void writePayload(ByteBuf out, long t, long seq, byte[] pad) {
        ByteBufUtil.writeAscii(out, "{\"t\":");
        ByteBufUtil.writeAscii(out, Long.toString(t));
        ByteBufUtil.writeAscii(out, ",\"seq\":");
        ByteBufUtil.writeAscii(out, Long.toString(seq));
        ByteBufUtil.writeAscii(out, ",\"pad\":\"");
        out.writeBytes(pad);
        ByteBufUtil.writeAscii(out, "\"}");
    }

    private static int decimalLength(long v) {
        return Long.toString(v).length();
    }
}
