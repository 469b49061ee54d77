package io.herald.transport;

import io.herald.metrics.RateLimit;
import io.herald.api.ApiResponse;
import io.herald.api.ServerApi;
import io.herald.config.HttpConfig;
import io.herald.metrics.HeraldMetrics;
import io.herald.metrics.HttpCloseCause;
import io.herald.protocol.ErrorCode;
import io.herald.pusher.PusherApiResponse;
import io.herald.pusher.PusherHttpApi;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one plain HTTP connection within its deadlines and caps, from the accept until it answers
 * its last request or turns into a WebSocket or SSE stream ({@link #handOver}). It sits right after
 * the HTTP codec; the connection does not read by itself ({@code autoRead} off): this guard asks for
 * more only while it wants more.
 * <ul>
 *   <li><b>Deadlines.</b> The request head must be complete within {@code head_timeout} of its first
 *       byte (of the accept, on a new connection); a keep-alive connection may be silent between
 *       requests for {@code idle_timeout}; a body must average {@code min_body_rate} once it has had
 *       {@code head_timeout} to start; an answer must leave within {@code write_timeout}. A connection
 *       past one is closed without an answer (its request is incomplete or it does not read).</li>
 *   <li><b>No reading ahead of unwritten answers.</b> While an answer is being written, nothing more
 *       is read; while one is awaited (a parked poll, an engine call) up to {@code max_pipelined}
 *       further requests are read and held in order, so a hang-up is still noticed. Past that the
 *       connection stops reading and closes once the held requests are answered. So a client that
 *       pipelines thousands of requests and never reads costs one answer in memory.</li>
 *   <li><b>Credentials before bodies.</b> A server API request without the right API key, and a Pusher
 *       HTTP API request without a valid signature (or announcing a body over its cap), is answered
 *       from its headers, before any of its body is read, and the connection is closed.</li>
 *   <li><b>Buffered bodies</b> count against the node-wide {@link BodyBudget}; past it: 503.</li>
 *   <li><b>Admission.</b> A socket that came too fast from its IP address (past
 *       {@code connection_rate_per_ip}) or past {@code max_connections} has its first request refused
 *       with 429 (on {@code /ws} and {@code /sse} their own endpoints answer, with 4008 for the
 *       limit; the health and metrics endpoints answer as usual, under their own per-address rate,
 *       and so does the server API for the right key), and gets at most {@link #REFUSED_WAIT_NANOS}
 *       to send it.</li>
 * </ul>
 * All fields are owned by the channel's event loop.
 */
final class HttpGuard extends ChannelDuplexHandler {
    /** How long a socket that will be refused may take to send the request it is refused on. */
    static final long REFUSED_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How often a body's progress is checked against the minimum rate. */
    private static final long BODY_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What every connection's guard shares: the settings and the node-wide budget. */
    record Shared(HttpConfig config, long writeTimeoutNanos, BodyBudget bodies, ServerApi api, PusherHttpApi pusher,
                  HeraldMetrics metrics) {
    }

    private enum Phase {
        /** Waiting for the first byte of a request. */
        IDLE,
        /** Bytes of a request head arrived; the head is not complete. */
        HEAD,
        /** The head is complete; its body is arriving. */
        BODY,
        /** The request is complete and handed on; its answer is awaited. */
        WAITING,
        /** Its answer is being written. */
        WRITING
    }

    private final Shared shared;
    /** Seconds to wait before retrying when the socket came too fast from its address, else 0. */
    private final long refusedRetryAfter;
    private final boolean overLimit;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private long phaseStartNanos = System.nanoTime();
    /** False until the first answer: a new connection gets {@code head_timeout}, not {@code idle_timeout}. */
    private boolean answeredOnce;
    /** Body bytes reserved in the budget for the request being read and those held. */
    private long reserved;
    /** Body bytes of the request being read, for the minimum rate. */
    private long bodyBytes;
    /** Requests read ahead of the awaited answer, in order; null while there are none. */
    private ArrayDeque<HttpObject> held;
    private int heldRequests;
    /** Set once the connection is to end after the answers it owes: nothing more is read. */
    private boolean closeAfterAnswers;
    /** Set when the request being read was answered early: the rest of what arrives is dropped. */
    private boolean discarding;
    /** Set when the request being read was answered before its body ended (a 413): the rest is dropped. */
    private boolean drainingBody;
    /** True while {@link #answered} feeds held requests on, so an answer written meanwhile does not re-enter. */
    private boolean feeding;
    private boolean done;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires, in {@link System#nanoTime} terms. */
    private long timerAt;

    HttpGuard(Shared shared, long refusedRetryAfter, boolean overLimit) {
        this.shared = shared;
        this.refusedRetryAfter = refusedRetryAfter;
        this.overLimit = overLimit;
    }

    /** Seconds a socket refused for its IP address's connection rate should wait, or 0 when it was not. */
    static long refusedRetryAfter(ChannelPipeline p) {
        HttpGuard g = p.get(HttpGuard.class);
        return g == null ? 0 : g.refusedRetryAfter;
    }

    /**
     * Takes the guard (and its byte watch) out of a connection that became a WebSocket or an SSE
     * stream, which have deadlines and caps of their own, and lets the connection read by itself again.
     */
    static void handOver(ChannelPipeline p) {
        HttpGuard g = p.get(HttpGuard.class);
        if (g != null) {
            p.remove(g);
        }
        if (p.get(ByteWatch.class) != null) {
            p.remove(ByteWatch.class);
        }
        p.channel().config().setAutoRead(true);
    }

    /** The stage to put before the HTTP codec: it tells the guard when a request's first bytes arrive. */
    ChannelHandler byteWatch() {
        return new ByteWatch(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        phaseStartNanos = System.nanoTime();
        arm();
        ctx.fireChannelActive();
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http) || done) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (discarding) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (phase == Phase.WAITING || phase == Phase.WRITING || held != null) {
            hold(http);
            return;
        }
        receive(http);
    }

    /** Takes one message of the request being read. */
    private void receive(HttpObject msg) {
        if (drainingBody && msg instanceof HttpContent content) {
            bodyBytes += content.content().readableBytes();
            if (msg instanceof LastHttpContent) {
                drainingBody = false;
                phase = Phase.IDLE;
                phaseStartNanos = System.nanoTime();
                arm();
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        drainingBody = false;
        if (msg instanceof HttpRequest req) {
            phase = Phase.BODY;
            phaseStartNanos = System.nanoTime();
            bodyBytes = 0;
            arm();
            if (refuseEarly(req)) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (!reserve(content)) {
                answerAndClose(ErrorCode.NOT_AVAILABLE, "too many request bodies in flight on this node; retry shortly", 1);
                return;
            }
            bodyBytes += content.content().readableBytes();
            if (msg instanceof LastHttpContent) {
                phase = Phase.WAITING;
                phaseStartNanos = System.nanoTime();
                // the aggregator and the router take the request synchronously: its buffer is copied or
                // released when this returns
                ctx.fireChannelRead(msg);
                shared.bodies().release(reserved);
                reserved = 0;
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Answers from the head alone where the answer cannot depend on the body: refused sockets and
     * requests without credentials. True when it answered; the connection then closes.
     */
    private boolean refuseEarly(HttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            return false;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        // the streams answer in their own way (4008 on the stream, CORS on SSE); monitoring keeps
        // working on a full node, under the per-address rate of the public endpoints; and a backend's
        // API requests, checked for their key below, still publish to the clients already connected
        boolean exempt = path.equals("/ws") || path.equals("/sse") || HttpRouter.isPublic(path) || path.startsWith("/api/")
                || PusherHttpApi.handles(path);
        if (refusedRetryAfter > 0 && !exempt) {
            shared.metrics().rateLimited(RateLimit.CONNECTION_RATE_PER_IP);
            answerAndClose(ErrorCode.TOO_MANY_REQUESTS, "too many new connections from this address; retry in "
                    + refusedRetryAfter + "s", refusedRetryAfter);
            return true;
        }
        if (overLimit && !exempt) {
            shared.metrics().rateLimited(RateLimit.MAX_CONNECTIONS);
            answerAndClose(ErrorCode.LIMIT_EXCEEDED, "server connection limit reached; retry later", 1);
            return true;
        }
        String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (path.startsWith("/api/")) {
            ApiResponse refusal = shared.api().refusal(authorization);
            if (refusal != null) {
                answerAndClose(refusal.status(), refusal.body(), 0);
                return true;
            }
        }
        if (PusherHttpApi.handles(path)) {
            // the signature covers everything but the body (its MD5 is signed): an unsigned request is
            // refused before any of its body is read
            QueryStringDecoder decoded = new QueryStringDecoder(uri);
            PusherApiResponse refusal = shared.pusher().refusal(req.method().name(), decoded.rawPath(),
                    decoded.parameters(), HttpUtil.getContentLength(req, -1L));
            if (refusal != null) {
                discarding = true;
                closeAfterAnswers = true;
                HttpReplies.write(ctx, false, HttpReplies.pusherResponse(refusal, false));
                return true;
            }
        }
        return false;
    }

    private void answerAndClose(ErrorCode code, String message, long retryAfter) {
        answerAndClose(code.status(), HttpReplies.errorBody(code, message), retryAfter);
    }

    /** Answers the request being read and closes: nothing more of it, or after it, is read. */
    private void answerAndClose(int status, byte[] body, long retryAfter) {
        discarding = true;
        closeAfterAnswers = true;
        HttpReplies.json(ctx, false, status, body, retryAfter);
    }

    /** Holds a message read ahead of the awaited answer; past the pipelining cap, stops reading. */
    private void hold(HttpObject msg) {
        if (closeAfterAnswers) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest && ++heldRequests > shared.config().maxPipelined()) {
            ReferenceCountUtil.release(msg);
            shared.metrics().httpClosed(HttpCloseCause.PIPELINE_LIMIT);
            closeAfterAnswers = true;
            return;
        }
        if (msg instanceof HttpContent content && !reserve(content)) {
            closeAfterAnswers = true;
            return;
        }
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.addLast(msg);
    }

    /** Reserves a body chunk in the node's budget; past it, releases the chunk, counts the close and answers false. */
    private boolean reserve(HttpContent content) {
        int n = content.content().readableBytes();
        if (!shared.bodies().tryReserve(n)) {
            ReferenceCountUtil.release(content);
            shared.metrics().httpClosed(HttpCloseCause.BODY_BUDGET);
            return false;
        }
        reserved += n;
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        readIfWanted();
    }

    private void readIfWanted() {
        if (!done && !discarding && !closeAfterAnswers && phase != Phase.WRITING && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof LastHttpContent
                || msg instanceof FullHttpResponse res && res.status().code() != HttpResponseStatus.CONTINUE.code();
        if (done || !last) {
            if (msg instanceof HttpResponse && !(msg instanceof FullHttpResponse)) {
                // the head of a streamed answer (SSE): the stream takes over, with deadlines of its own
                phase = Phase.WAITING;
            }
            ctx.write(msg, promise);
            return;
        }
        if (phase == Phase.BODY) {
            // answered before the body ended (413 from the aggregator): drop the rest as it arrives,
            // keeping the connection, so a client still uploading reads the answer instead of a reset
            drainingBody = true;
            answeredOnce = true;
            ctx.write(msg, promise);
            return;
        }
        phase = Phase.WRITING;
        phaseStartNanos = System.nanoTime();
        arm();
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> {
            if (f.isSuccess()) {
                answered();
            }
        });
        ctx.write(msg, p);
    }

    /** The awaited answer left: take the held requests in order, or read the next one. */
    private void answered() {
        if (done || phase != Phase.WRITING) {
            return;
        }
        answeredOnce = true;
        phase = Phase.IDLE;
        phaseStartNanos = System.nanoTime();
        if (feeding) {
            // written synchronously while a held request was fed on: the loop below goes on
            return;
        }
        feeding = true;
        try {
            while (!done && held != null && phase != Phase.WAITING && phase != Phase.WRITING) {
                HttpObject next = held.pollFirst();
                if (next == null) {
                    break;
                }
                if (next instanceof HttpRequest) {
                    heldRequests--;
                }
                if (next instanceof HttpContent content) {
                    // receive() reserves its bytes again
                    int n = content.content().readableBytes();
                    reserved -= n;
                    shared.bodies().release(n);
                }
                if (discarding) {
                    ReferenceCountUtil.release(next);
                } else {
                    receive(next);
                }
            }
            if (held != null && held.isEmpty()) {
                held = null;
            }
        } finally {
            feeding = false;
        }
        if (done) {
            return;
        }
        if (closeAfterAnswers && held == null && phase != Phase.WAITING && phase != Phase.WRITING) {
            ctx.close();
            return;
        }
        arm();
        readIfWanted();
    }

    /** The deadline of the current phase, in {@link System#nanoTime} terms; MAX_VALUE when it has none. */
    private long deadline() {
        HttpConfig c = shared.config();
        long head = c.headTimeout().toNanos();
        boolean refused = refusedRetryAfter > 0 || overLimit;
        long refusedHead = refused ? Math.min(head, REFUSED_WAIT_NANOS) : head;
        return switch (phase) {
            case IDLE -> phaseStartNanos + (answeredOnce && !refused ? c.idleTimeout().toNanos() : refusedHead);
            case HEAD -> phaseStartNanos + refusedHead;
            case BODY -> System.nanoTime() + BODY_CHECK_NANOS;
            case WRITING -> phaseStartNanos + shared.writeTimeoutNanos();
            case WAITING -> Long.MAX_VALUE;
        };
    }

    /** Makes sure the timer fires by the current phase's deadline; one timer per connection at a time. */
    private void arm() {
        if (done) {
            return;
        }
        long at = deadline();
        if (at == Long.MAX_VALUE || timer != null && !timer.isDone() && timerAt <= at) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::checkDeadlines, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void checkDeadlines() {
        timer = null;
        if (done) {
            return;
        }
        long now = System.nanoTime();
        long elapsed = now - phaseStartNanos;
        long head = shared.config().headTimeout().toNanos();
        switch (phase) {
            case IDLE, HEAD, WRITING -> {
                if (now - deadline() >= 0) {
                    expire(phase == Phase.WRITING ? HttpCloseCause.WRITE_TIMEOUT
                            : phase == Phase.IDLE && answeredOnce ? HttpCloseCause.IDLE_TIMEOUT : HttpCloseCause.HEAD_TIMEOUT);
                    return;
                }
            }
            case BODY -> {
                long owed = (elapsed - head) / 1_000_000 * shared.config().minBodyRate() / 1000;
                if (elapsed > head && bodyBytes < owed) {
                    expire(HttpCloseCause.BODY_TOO_SLOW);
                    return;
                }
            }
            case WAITING -> {
                // the answer's own deadlines apply (the poll timeout, the engine's timeout)
            }
        }
        arm();
    }

    private void expire(HttpCloseCause cause) {
        shared.metrics().httpClosed(cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        end();
    }

    /** Stops the timer and gives back what the connection held; idempotent. */
    private void end() {
        if (done) {
            return;
        }
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (held != null) {
            for (HttpObject m : held) {
                ReferenceCountUtil.release(m);
            }
            held = null;
        }
        shared.bodies().release(reserved);
        reserved = 0;
    }

    /** Marks the start of a request head: the first bytes after the connection went idle. */
    private void bytesArrived() {
        if (phase == Phase.IDLE && !done && !drainingBody) {
            phase = Phase.HEAD;
            phaseStartNanos = System.nanoTime();
            arm();
        }
    }

    /** Sits before the HTTP codec, which emits nothing until a head is complete. */
    private static final class ByteWatch extends ChannelInboundHandlerAdapter {
        private final HttpGuard guard;

        ByteWatch(HttpGuard guard) {
            this.guard = guard;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            guard.bytesArrived();
            ctx.fireChannelRead(msg);
        }
    }
}
