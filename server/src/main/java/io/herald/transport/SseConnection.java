package io.herald.transport;

import io.herald.session.ClientTransport;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ChannelRefusal;
import io.herald.protocol.ErrorCode;
import io.herald.protocol.CloseCode;
import io.herald.protocol.Cursors;
import io.herald.protocol.Frames;
import io.herald.protocol.Publication;
import io.herald.protocol.StreamPosition;
import io.herald.session.ClientSession;
import io.herald.session.Handshake;
import io.herald.session.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
final class SseConnection extends ClientConnection<ClientSession> {
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The request's channels, in cursor order, with each one's index. */
    private final Map<ChannelName, Integer> index = new HashMap<>();
    private final List<ChannelName> channels;
    /** The client's recovery positions from {@code since} or {@code Last-Event-ID}; entries may be null. */
    private final List<StreamPosition> since;
    /** The client's position per channel: what the next event id says. Null until {@code connected}. */
    private StreamPosition[] cursors;
    /** The {@code ?token=} value until the session has started; not kept for the stream's life. */
    private String token;
    /** The request for the connect proxy until the session has started; null without one. */
    private Handshake handshake;

    SseConnection(Channel channel, ConnectionSettings settings, StreamQuery query, Handshake handshake) {
        super(channel, settings, c -> new ClientSession(c, settings.services()));
        this.handshake = handshake;
        this.channels = query.channels();
        this.since = query.since();
        this.token = query.token();
        for (int i = 0; i < channels.size(); i++) {
            index.put(channels.get(i), i);
        }
    }

    @Override
    public ClientTransport transport() {
        return ClientTransport.SSE;
    }

    @Override
    String kind() {
        return "SSE stream";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (!open(ctx)) {
            return;
        }
        Map<ChannelName, StreamPosition> recover = new LinkedHashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            if (since.get(i) != null) {
                recover.put(channels.get(i), since.get(i));
            }
        }
        String t = token;
        Handshake h = handshake;
        token = null;
        handshake = null;
        session.startStream(t, channels, recover, h);
    }

    /** A client has nothing to say on an SSE stream; anything it sends (a pipelined request) is dropped. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(cause);
    }

    /** A {@code :} comment line every {@code ping}, so proxies and the browser see the stream alive. */
    @Override
    void sendKeepAlive() {
        if (admit(HEARTBEAT.length)) {
            write(new DefaultHttpContent(channel.alloc().buffer(HEARTBEAT.length).writeBytes(HEARTBEAT)));
        }
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
    public void sendConnected(byte[] frame, List<Frames.JoinedChannel> joined, List<ChannelRefusal> refused) {
        StreamPosition[] start = new StreamPosition[channels.size()];
        for (Frames.JoinedChannel j : joined) {
            Integer i = index.get(j.channel());
            if (i != null) {
                start[i] = j.recovered() ? since.get(i) : j.position();
            }
        }
        // a channel refused for good (not allowed, the node's channel cap) keeps its slot, as "-"; an
        // engine failure would leave a hole the client can only fill by reconnecting with its cursors
        int denied = 0;
        for (ChannelRefusal r : refused) {
            if (r.code() != ErrorCode.PERMISSION_DENIED && r.code() != ErrorCode.LIMIT_EXCEEDED) {
                close(CloseCode.INTERNAL_ERROR, "internal error: " + r.message());
                return;
            }
            denied++;
        }
        if (Arrays.stream(start).filter(p -> p == null).count() != denied) {
            close(CloseCode.INTERNAL_ERROR, "internal error");
            return;
        }
        cursors = start;
        event(Cursors.format(Arrays.asList(cursors)), frame);
        for (ChannelRefusal r : refused) {
            event(null, Frames.channelError(r));
        }
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
        if (admit(encodedLength(id, json))) {
            write(new DefaultHttpContent(encode(id, json)));
        }
    }

    /** Bytes of the event: {@code "id: " + id + "\n"} when there is an id, {@code "data: " + json + "\n\n"}. */
    private static int encodedLength(String id, byte[] json) {
        return (id == null ? 0 : id.length() + 5) + json.length + 8;
    }

    private ByteBuf encode(String id, byte[] json) {
        ByteBuf buf = channel.alloc().buffer(encodedLength(id, json));
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

    /** Sends the {@code disconnect} push and ends the response; the client's EventSource sees the stream end. */
    @Override
    void sendClose(CloseCode code, String reason, boolean reconnect) {
        channel.write(new DefaultHttpContent(encode(null, Frames.disconnect(code, reason, reconnect))), channel.voidPromise());
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    }
}
