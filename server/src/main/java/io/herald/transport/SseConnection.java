package io.herald.transport;

import io.herald.config.ClientConfig;
import io.herald.metrics.HeraldMetrics;
import io.herald.protocol.ChannelName;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Cursors;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import io.herald.session.ClientSession;
import io.herald.session.Connection;
import io.herald.session.SessionServices;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SSE stream ({@code GET /sse}) as a {@link ClientSession}'s {@link Connection}: the session is the
 * same as on a WebSocket (auth, permissions, subscription setup and recovery, token expiry, server
 * API commands); this class only frames its pushes as events. Every push is one {@code data:} line
 * without {@code event:}; publications of the stream's channels and {@code connected} carry
 * {@code id:} with the client's cursors, so a browser reconnecting with {@code Last-Event-ID}
 * resumes where it was. A {@code :} comment goes out every {@code ping}.
 *
 * <p>Outbound is bounded like a WebSocket's: a stream whose queued bytes would exceed
 * {@code max_queue_bytes}, or whose socket takes no writes for {@code write_timeout}, is closed as a
 * slow consumer (4004). Writes of one event-loop pass leave with one flush. All fields are owned by
 * the channel's event loop.
 */
final class SseConnection extends ChannelInboundHandlerAdapter implements Connection, OpenConnection, FlushBatch.Member {
    private static final Logger log = LoggerFactory.getLogger(SseConnection.class);
    private static final long CLOSE_GRACE_MILLIS = 1000;
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Channel channel;
    private final ClientSession session;
    private final HeraldMetrics metrics;
    private final LivenessSweeps sweeps;
    private final Connections connections;
    /** The request's channels, in cursor order, with each one's index. */
    private final Map<ChannelName, Integer> index = new HashMap<>();
    private final List<ChannelName> channels;
    /** The client's recovery positions from {@code since} or {@code Last-Event-ID}; entries may be null. */
    private final List<StreamPosition> since;
    /** The client's position per channel: what the next event id says. Null until {@code connected}. */
    private StreamPosition[] cursors;
    /** The {@code ?token=} value until the session has started; not kept for the stream's life. */
    private String token;
    private final long maxQueueBytes;
    private final long pingNanos;
    private final long writeTimeoutNanos;
    private long lastPingNanos = System.nanoTime();
    private long unwritableSinceNanos;
    private boolean flushScheduled;
    private boolean closing;
    private String closeReason;
    /** This stream's index in its loop's sweep; maintained by {@link LivenessSweeps}. */
    private int sweepSlot = -1;

    SseConnection(Channel channel, SessionServices services, StreamQuery query, LivenessSweeps sweeps,
                  Connections connections) {
        this.channel = channel;
        this.metrics = services.metrics();
        this.sweeps = sweeps;
        this.connections = connections;
        this.channels = query.channels();
        this.since = query.since();
        this.token = query.token();
        for (int i = 0; i < channels.size(); i++) {
            index.put(channels.get(i), i);
        }
        ClientConfig client = services.config().client();
        this.maxQueueBytes = client.maxQueueBytes();
        this.pingNanos = client.ping().toNanos();
        this.writeTimeoutNanos = client.writeTimeout().toNanos();
        this.session = new ClientSession(this, services);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        sweeps.register(this, ctx.executor());
        metrics.connectionOpened();
        log.debug("SSE stream {} opened from {}", session.clientId(), channel.remoteAddress());
        if (!connections.tryAdd(this)) {
            metrics.rateLimited("max_connections");
            close(CloseCode.CONNECTION_LIMIT, "server connection limit reached; retry later");
            return;
        }
        Map<ChannelName, StreamPosition> recover = new LinkedHashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            if (since.get(i) != null) {
                recover.put(channels.get(i), since.get(i));
            }
        }
        String t = token;
        token = null;
        session.startStream(t, channels, recover);
    }

    /** A client has nothing to say on an SSE stream; anything it sends (a pipelined request) is dropped. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        unwritableSinceNanos = channel.isWritable() ? 0 : System.nanoTime();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        sweeps.unregister(this, ctx.executor());
        connections.remove(this);
        String reason = closeReason == null ? "client" : closeReason;
        metrics.connectionClosed(reason);
        log.debug("SSE stream {} closed: {}", session.clientId(), reason);
        session.onClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("SSE stream {} failed, closing", session.clientId(), cause);
        ctx.close();
    }

    @Override
    public int sweepSlot() {
        return sweepSlot;
    }

    @Override
    public void sweepSlot(int slot) {
        sweepSlot = slot;
    }

    @Override
    public void tick(long nowNanos, long nowMillis) {
        if (closing) {
            return;
        }
        if (unwritableSinceNanos != 0 && nowNanos - unwritableSinceNanos > writeTimeoutNanos) {
            slowConsumer("could not take writes for " + TimeUnit.NANOSECONDS.toSeconds(writeTimeoutNanos) + "s");
            return;
        }
        if (nowNanos - lastPingNanos >= pingNanos) {
            lastPingNanos = nowNanos;
            if (admit(HEARTBEAT.length)) {
                write(channel.alloc().buffer(HEARTBEAT.length).writeBytes(HEARTBEAT));
            }
        }
        session.onTick(nowMillis);
    }

    private void slowConsumer(String why) {
        metrics.slowConsumer();
        log.debug("SSE stream {} is a slow consumer: {}", session.clientId(), why);
        close(CloseCode.SLOW_CONSUMER, "slow consumer: " + why);
    }

    @Override
    public long queuedBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    @Override
    public void drainAfter(long delayMillis) {
        channel.eventLoop().schedule(() -> close(CloseCode.SHUTDOWN, "server shutting down; reconnect"),
                delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean inLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public void send(byte[] frame) {
        event(null, frame);
    }

    @Override
    public void sendShared(byte[] frame) {
        event(null, frame);
    }

    /**
     * The client's cursors start where it stands: the recovery position for a recovered channel (the
     * missed publications follow, each moving it on), else the channel's current position.
     */
    @Override
    public void sendConnected(byte[] frame, List<Frames.JoinedChannel> joined) {
        StreamPosition[] start = new StreamPosition[channels.size()];
        for (Frames.JoinedChannel j : joined) {
            Integer i = index.get(j.channel());
            if (i != null) {
                start[i] = j.recovered() ? since.get(i) : j.position();
            }
        }
        if (Arrays.asList(start).contains(null)) {
            // a channel that could not be opened (engine failure) would leave a hole in the cursors
            close(CloseCode.SHUTDOWN, "internal error");
            return;
        }
        cursors = start;
        event(Cursors.format(Arrays.asList(cursors)), frame);
    }

    /** A publication of one of the stream's channels moves that channel's cursor and carries the new cursors. */
    @Override
    public void sendPublication(Publication publication, boolean shared) {
        Integer i = cursors == null ? null : index.get(publication.channel());
        if (i == null) {
            // a channel the server API added: not part of the client's cursors
            event(null, publication.frame());
            return;
        }
        cursors[i] = publication.position();
        event(Cursors.format(Arrays.asList(cursors)), publication.frame());
    }

    /** Queues one event: {@code id:} when given, then the JSON push as a single {@code data:} line. */
    private void event(String id, byte[] json) {
        int length = (id == null ? 0 : id.length() + 5) + json.length + 8;
        if (admit(length)) {
            write(encode(id, json, length));
        }
    }

    private ByteBuf encode(String id, byte[] json, int length) {
        ByteBuf buf = channel.alloc().buffer(length);
        if (id != null) {
            buf.writeCharSequence("id: ", StandardCharsets.US_ASCII);
            buf.writeCharSequence(id, StandardCharsets.US_ASCII);
            buf.writeByte('\n');
        }
        buf.writeCharSequence("data: ", StandardCharsets.US_ASCII);
        buf.writeBytes(json);
        buf.writeByte('\n').writeByte('\n');
        return buf;
    }

    /** Whether {@code length} more bytes may be queued; closes a slow consumer and answers false. */
    private boolean admit(int length) {
        if (closing) {
            return false;
        }
        if (queuedBytes() + length > maxQueueBytes) {
            // as on the WebSocket: only bytes the socket refuses count, and one event fits an empty queue
            channel.flush();
            long queued = queuedBytes();
            if (queued > 0 && queued + length > maxQueueBytes) {
                slowConsumer("outbound queue over max_queue_bytes (" + maxQueueBytes + ")");
                return false;
            }
        }
        FlushBatch.current().countBytes(metrics, length);
        return true;
    }

    @Override
    public void flushNow() {
        flushScheduled = false;
        channel.flush();
    }

    private void write(ByteBuf event) {
        channel.write(new DefaultHttpContent(event), channel.voidPromise());
        if (!flushScheduled) {
            flushScheduled = true;
            FlushBatch.current().add(this, channel.eventLoop());
        }
    }

    /** Sends the {@code disconnect} push and ends the response; the client's EventSource sees the stream end. */
    @Override
    public void close(CloseCode code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = code.name().toLowerCase(Locale.ROOT);
        session.onClosed();
        byte[] frame = Frames.disconnect(code, reason);
        int length = frame.length + 8;
        channel.write(new DefaultHttpContent(encode(null, frame, length)), channel.voidPromise());
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        // a client that does not read would otherwise keep the socket until the write completes
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }
}
