package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * How one system is spoken over WebSocket (see bench/PEER-CONTRACT.md). Implementations are
 * stateless singletons; per-connection state lives in {@link Conn}.
 */
public interface Protocol {
    /** The key of the bench's Pusher app ({@code /app/{key}}). */
    String PUSHER_KEY = PusherProtocol.KEY;

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

    /**
     * A complete publish frame to {@code channel} carrying {@code {"t":t,"seq":seq,"pad":"…"}}, or with
     * {@code channelSeq > 0} {@code {"t":t,"seq":seq,"ch":channel,"cseq":channelSeq,"pad":"…"}}.
     */
    ByteBuf publish(ByteBufAllocator alloc, String channel, long t, long seq, long channelSeq, byte[] pad);

    static Protocol of(String system) {
        return switch (system) {
            case "herald" -> HeraldProtocol.INSTANCE;
            case "pusher" -> PusherProtocol.INSTANCE;
            case "ws" -> WsProtocol.INSTANCE;
            case "socketio", "netty-socketio" -> SocketIoProtocol.INSTANCE;
            case "nats" -> NatsProtocol.INSTANCE;
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
    }

    /** The protocol the publisher of {@code system} speaks (Pusher's subscribers get Herald's publisher). */
    static Protocol publisherOf(String system) {
        return system.equals("pusher") ? PusherProtocol.publisher() : of(system);
    }

    /** Length in bytes of the payload {@link #writePayload} writes. */
    static int payloadLength(String channel, long t, long seq, long channelSeq, byte[] pad) {
        int perChannel = channelSeq > 0 ? 16 + channel.length() + decimalLength(channelSeq) : 0;
        return 22 + decimalLength(t) + decimalLength(seq) + perChannel + pad.length;
    }

    /**
     * Writes the payload of every system (the peer contract): {@code {"t":t,"seq":seq,"pad":"pad"}}, with
     * {@code "ch"} and {@code "cseq"} (the channel's own sequence number, from 1) before {@code "pad"}
     * when {@code channelSeq > 0}, so that receivers judge gaps per channel.
     */
    static void writePayload(ByteBuf out, String channel, long t, long seq, long channelSeq, byte[] pad) {
        ByteBufUtil.writeAscii(out, "{\"t\":");
        ByteBufUtil.writeAscii(out, Long.toString(t));
        ByteBufUtil.writeAscii(out, ",\"seq\":");
        ByteBufUtil.writeAscii(out, Long.toString(seq));
        if (channelSeq > 0) {
            ByteBufUtil.writeAscii(out, ",\"ch\":\"");
            ByteBufUtil.writeAscii(out, channel);
            ByteBufUtil.writeAscii(out, "\",\"cseq\":");
            ByteBufUtil.writeAscii(out, Long.toString(channelSeq));
        }
        ByteBufUtil.writeAscii(out, ",\"pad\":\"");
        out.writeBytes(pad);
        ByteBufUtil.writeAscii(out, "\"}");
    }

    private static int decimalLength(long v) {
        return Long.toString(v).length();
    }
}
