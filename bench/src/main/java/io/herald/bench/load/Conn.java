package io.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * One generator connection: runs its system's {@link Protocol}, times its handshake, and judges
 * each delivery (latency against the intended send time, gaps and duplicates by {@code seq} and,
 * for Herald, by offset). All fields are owned by the channel's event loop.
 */
public final class Conn extends SimpleChannelInboundHandler<WebSocketFrame> {
    /** Told once whether the connection became ready (connected and subscribed) or failed. */
    public interface Listener {
        void ready(Conn c);

        void failed(Conn c, String reason);
    }

    private final Protocol protocol;
    private final Stats stats;
    private final String[] channels;
    private final Listener listener;
    private final long startNanos = System.nanoTime();
    private Channel channel;
    private boolean ready;
    private boolean done;       // ready or failed was reported
    private volatile boolean closing; // closed by us: not a drop
    private int pendingSubscribes;
    private int sid;
    private long lastSeq;       // 0: the first publication of a run has seq 1
    private final long[] lastChannelSeq; // PER_CHANNEL: per channel slot, 0 until the first delivery
    private final long[] lastOffset;     // per channel slot (one slot unless PER_CHANNEL), -1: unknown
    private int slot;           // the channel slot of the delivery just judged (0 unless PER_CHANNEL; -1: none)
    private boolean seqAnomaly; // set by the last delivery, so a loss is not counted twice via offset
    ByteBuf acc;                // NATS: an unfinished protocol message carried to the next frame

    Conn(Protocol protocol, Stats stats, String[] channels, Listener listener) {
        this.protocol = protocol;
        this.stats = stats;
        this.channels = channels;
        this.listener = listener;
        this.pendingSubscribes = channels.length;
        this.lastChannelSeq = new long[Math.max(1, channels.length)];
        this.lastOffset = new long[Math.max(1, channels.length)];
        java.util.Arrays.fill(lastOffset, -1);
    }

    public String[] channels() {
        return channels;
    }

    public Channel channel() {
        return channel;
    }

    public boolean isReady() {
        return ready;
    }

    int nextSid() {
        return ++sid;
    }

    /** Writes one text frame and flushes. */
    public void send(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(ByteBufUtil.writeUtf8(channel.alloc(), text)), channel.voidPromise());
    }

    /** Closes without counting it as a drop. */
    public void close() {
        closing = true;
        if (channel != null) {
            channel.close();
        }
    }

    void markReady() {
        if (done) {
            return;
        }
        ready = true;
        done = true;
        stats.handshake.recordValue(System.nanoTime() - startNanos);
        stats.ready.increment();
        listener.ready(this);
    }

    void fail(String reason) {
        if (done) {
            return;
        }
        done = true;
        stats.failed.increment();
        closing = true;
        if (channel != null) {
            channel.close();
        }
        listener.failed(this, reason);
    }

    /** A subscription was confirmed; the connection is ready once all its initial ones are. */
    void subscribed() {
        stats.subscribes.increment();
        if (pendingSubscribes > 0 && --pendingSubscribes == 0) {
            markReady();
        }
    }

    void error(String what) {
        stats.errors.increment();
        if (!done) {
            fail(what);
        }
    }

    /** A publication payload lies in [from, to) of {@code b}: time it and check its sequence. */
    void delivery(ByteBuf b, int from, int to) {
        delivery(b, from, to, Bytes.T, Bytes.SEQ);
    }

    /** A delivery whose payload keys are spelled {@code tKey} and {@code seqKey} (escaped inside a string, for Pusher). */
    void delivery(ByteBuf b, int from, int to, byte[] tKey, byte[] seqKey) {
        long now = System.nanoTime();
        Stats.SeqCheck check = stats.seqCheck;
        slot = check == Stats.SeqCheck.PER_CHANNEL ? -1 : 0; // -1: the offset that follows is not judged
        int ti = Bytes.indexOf(b, tKey, from, to);
        if (ti < 0) {
            stats.errors.increment();
            return;
        }
        long t = Bytes.digits(b, ti + tKey.length, to);
        long seq = Bytes.number(b, seqKey, ti, to);
        if (check == Stats.SeqCheck.PER_CHANNEL) {
            slot = slotOf(b, Bytes.CH, ti, to);
            if (slot < 0) {
                stats.misrouted.increment();
                return;
            }
            seq = Bytes.number(b, Bytes.CSEQ, ti, to);
        }
        stats.latency.recordValue(Math.max(0, now - t));
        stats.received.increment();
        seqAnomaly = true;
        if (check == Stats.SeqCheck.OFF) {
            return;
        }
        boolean perChannel = check == Stats.SeqCheck.PER_CHANNEL;
        long previous = perChannel ? lastChannelSeq[slot] : lastSeq;
        if (previous == 0 && check != Stats.SeqCheck.STRICT) {
            previous = seq - 1; // joined mid-stream: judge from the first publication seen
        }
        if (seq <= previous) {
            stats.duplicates.increment();
            return;
        }
        if (seq != previous + 1) {
            stats.gaps.add(seq - previous - 1);
        } else {
            seqAnomaly = false;
        }
        if (perChannel) {
            lastChannelSeq[slot] = seq;
        } else {
            lastSeq = seq;
        }
    }

    /**
     * The slot of the channel named right after {@code key} (a JSON string value) in [from, to), or
     * -1 when it is none of this connection's channels. Compares bytes: no String per delivery.
     */
    int slotOf(ByteBuf b, byte[] key, int from, int to) {
        int at = Bytes.indexOf(b, key, from, to);
        if (at < 0) {
            return -1;
        }
        int start = at + key.length;
        for (int k = 0; k < channels.length; k++) {
            String name = channels[k];
            int end = start + name.length();
            if (end < to && b.getByte(end) == '"' && Bytes.matchesAscii(b, start, name)) {
                return k;
            }
        }
        return -1;
    }

    /** Herald: the offset of the delivery just judged; counts only anomalies seq did not already show. */
    void offset(long offset) {
        if (offset < 0 || stats.seqCheck == Stats.SeqCheck.OFF) {
            return;
        }
        int k = slot;
        if (k < 0) {
            return; // misrouted or unreadable: already counted
        }
        if (lastOffset[k] >= 0 && !seqAnomaly) {
            if (offset <= lastOffset[k]) {
                stats.duplicates.increment();
            } else if (offset != lastOffset[k] + 1) {
                stats.gaps.add(offset - lastOffset[k] - 1);
            }
        }
        lastOffset[k] = Math.max(lastOffset[k], offset);
    }

    /** Herald: the channel's top offset at subscribe time, the base for gap checks of channel slot {@code k}. */
    void initialOffset(int k, long offset) {
        int at = stats.seqCheck == Stats.SeqCheck.PER_CHANNEL ? k : 0;
        if (offset >= 0 && at >= 0 && lastOffset[at] < 0) {
            lastOffset[at] = offset;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            protocol.onOpen(this);
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            fail("handshake timeout");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            protocol.onFrame(this, frame.content());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (acc != null) {
            acc.release();
            acc = null;
        }
        if (!done) {
            fail("closed before ready");
        } else if (!closing) {
            stats.dropped.increment();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
        ctx.close();
    }
}
