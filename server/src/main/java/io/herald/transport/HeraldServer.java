package io.herald.transport;

import io.herald.api.BackendPublisher;
import io.herald.admin.AdminApi;
import io.herald.api.ServerApi;
import io.herald.auth.Authenticator;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.metrics.HeraldMetrics;
import io.herald.outbox.OutboxReader;
import io.herald.proxy.ProxyClient;
import io.herald.proxy.ProxyKind;
import io.herald.pusher.PusherAdapter;
import io.herald.pusher.PusherApps;
import io.herald.pusher.PusherHttpApi;
import io.herald.session.ClientTransport;
import io.herald.session.SessionServices;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.herald.config.HttpConfig;
import io.herald.limits.KeyedRateLimiter;
import io.herald.metrics.HttpCloseCause;
import io.herald.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Herald node: the Netty server on one port serving {@code /ws}, the server API and health
 * endpoints, on top of an engine. {@link #start} binds; {@link #close} stops accepting, closes every
 * connection and the engine.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);
    /** Largest HTTP request body accepted (server API). */
    public static final int MAX_HTTP_BODY = BackendPublisher.MAX_DATA_BYTES;
    public static final String VERSION = "0.1.0";

    private final HeraldConfig config;
    private final Engine engine;
    private final Hub hub;
    private final String nodeId = "n_" + UUID.randomUUID().toString().substring(0, 8);
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EventLoops loops;
    private final HeraldMetrics metrics = new HeraldMetrics();
    private final LivenessSweeps sweeps;
    private final ProxyClient proxy;
    private final io.herald.webhook.Webhooks webhooks;
    /** The Pusher apps of the config, one registry for the node's parts that ask about them. */
    private final PusherApps pusherApps;
    private final Connections connections;
    /** Reads into 4 KiB buffers (a longer message takes several reads); the buffer is not kept between reads. */
    private static final FixedRecvByteBufAllocator READ_BUFFERS = new FixedRecvByteBufAllocator(4096);
    /** Set by {@link #bind}; parked polls are answered when the node drains. */
    private PollEndpoint polls;
    /** Set by {@link #bind} when an outbox is configured; stopped before the node drains. */
    private volatile OutboxReader outbox;
    private Channel serverChannel;
    /** Set by {@link #bind}: the Pusher protocol's apps and sessions (no apps: {@code /app/} is not served). */
    private PusherAdapter pusher;
    /** Set by {@link #bind} when {@code admin.enabled}; else null. */
    private AdminApi admin;
    private volatile boolean ready;
    private volatile boolean stopped;

    private HeraldServer(HeraldConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.hub = new Hub(engine.broker(), metrics, config.limits().maxChannels());
        this.pusherApps = PusherApps.of(config.pusher());
        this.webhooks = new io.herald.webhook.Webhooks(config, engine, metrics, pusherApps);
        hub.observe(webhooks);
        this.sweeps = new LivenessSweeps(config.client().ping());
        this.proxy = new ProxyClient(config.proxy(), metrics::proxyCall);
        this.connections = new Connections(config.limits().maxConnections(), Connections.openFileLimit());
        this.loops = EventLoops.best();
        this.boss = loops.group(1, "herald-accept");
        // one I/O loop per core: more loops than cores only adds context switches to a fan-out
        this.workers = loops.group(Runtime.getRuntime().availableProcessors(), "herald-io");
    }

    /** Starts a node on {@code config.host():config.port()} (port 0: any free port). */
    public static HeraldServer start(HeraldConfig config, Engine engine, Authenticator authenticator)
            throws InterruptedException {
        HeraldServer server = new HeraldServer(config, engine);
        server.bind(authenticator);
        return server;
    }

    private void bind(Authenticator authenticator) throws InterruptedException {
        for (ProxyKind kind : ProxyKind.values()) {
            if (config.proxy().has(kind)) {
                metrics.registerProxy(kind);
            }
        }
        SessionServices services = new SessionServices(config, engine, hub, authenticator, metrics, proxy);
        BackendPublisher publisher = new BackendPublisher(config, engine, hub.publishGate(), metrics);
        ServerApi api = new ServerApi(config, engine, hub, publisher, nodeId, VERSION, metrics, pusherApps);
        admin = config.admin().enabled() ? new AdminApi(config, engine, hub, api, metrics, nodeId, VERSION) : null;
        Cors cors = new Cors(config);
        KeyedRateLimiter<InetAddress> perIp = new KeyedRateLimiter<>(config.limits().connectionRatePerIp());
        KeyedRateLimiter<String> perClient = new KeyedRateLimiter<>(config.client().commandRate());
        WebSocketUpgrade upgrade = new WebSocketUpgrade(config, services, sweeps, connections, cors);
        pusher = new PusherAdapter(pusherApps, services);
        polls = new PollEndpoint(services, perClient, cors);
        HttpRouter.ClientEndpoints clients = new HttpRouter.ClientEndpoints(
                new SseEndpoint(services, sweeps, connections, cors), polls,
                new CommandEndpoint(services, perClient, cors), cors);
        HttpConfig http = config.http();
        HttpRouter.PublicEndpoints open = new HttpRouter.PublicEndpoints(new KeyedRateLimiter<>(http.publicRatePerIp()),
                http.metricsAuth() == null ? null : http.metricsAuth().getBytes(StandardCharsets.UTF_8));
        BodyBudget bodies = new BodyBudget(http.maxBufferedBodies());
        PusherHttpApi pusherApi = new PusherHttpApi(pusher, config, engine, hub, publisher, metrics);
        HttpGuard.Shared guards = new HttpGuard.Shared(http, config.client().writeTimeout().toNanos(), bodies, api, pusherApi,
                metrics);
        SslContext ssl = TlsContexts.server(config.tls());
        metrics.gauge("herald.connections", "open client connections (WebSocket and SSE)", connections::count);
        metrics.transportGauge(ClientTransport.WEBSOCKET.wire(), () -> connections.count() - connections.sseCount());
        metrics.transportGauge(ClientTransport.SSE.wire(), connections::sseCount);
        metrics.gauge("herald.tcp.connections", "open TCP connections of every kind (counted against max_connections)",
                connections::sockets);
        metrics.gauge("herald.http.buffered.body.bytes", "bytes of HTTP request bodies held at once", bodies::used);
        metrics.gauge("herald.subscriptions", "subscriptions on this node", hub::subscriptionCount);
        metrics.gauge("herald.channels", "channels with subscribers on this node", hub::channelCount);
        metrics.gauge("herald.streams", "channels whose stream (offset, epoch, history) this node holds", engine.history()::streamCount);
        metrics.gauge("herald.outbound.queue.bytes", "bytes queued for clients, not yet taken by their sockets (as of the last liveness sweep)",
                sweeps::queuedBytes);
        long queue = config.client().maxQueueBytes();
        WriteBufferWaterMark marks = new WriteBufferWaterMark((int) Math.max(8 * 1024, queue / 8),
                (int) Math.max(16 * 1024, queue / 4));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(loops.serverChannel())
                .handler(connections.acceptor(() -> metrics.httpClosed(HttpCloseCause.CONNECTION_CEILING)))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, marks)
                // one allocator for every connection: the default makes an adaptive one per connection,
                // about 90 bytes each, to size reads that for clients are small JSON commands
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READ_BUFFERS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long retryAfter = ch.remoteAddress() != null ? perIp.acquire(ch.remoteAddress().getAddress()) : 0;
                        // the guard asks for reads itself, so a client cannot send ahead of unwritten answers
                        ch.config().setAutoRead(false);
                        HttpGuard guard = new HttpGuard(guards, retryAfter, Connections.overLimit(ch));
                        if (ssl != null) {
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        ch.pipeline().addLast("http-bytes", guard.byteWatch());
                        ch.pipeline().addLast("http", new HttpServerCodec());
                        ch.pipeline().addLast("http-guard", guard);
                        ch.pipeline().addLast("http-aggregator", new JsonHttpAggregator());
                        ch.pipeline().addLast("router", new HttpRouter(upgrade, pusher, api, HeraldServer.this::isReady, metrics,
                                clients, open, admin, pusherApi));
                    }
                });
        // before the first connection can join presence or occupy a channel
        webhooks.start(nodeId);
        serverChannel = b.bind(config.host(), config.port()).sync().channel();
        engine.nodes().register(nodeId, api::load);
        ready = true;
        if (config.outbox() != null) {
            outbox = OutboxReader.start(config.outbox(), publisher, metrics, nodeId);
        }
        log.info("Herald {} node {} listening on {}:{} ({}, {} transport, {} engine)", VERSION, nodeId,
                config.host(), port(), ssl != null ? "TLS" : "plain", loops.name(), engine.name());
        if (admin != null) {
            log.info("admin UI at /admin{}", admin.built() ? ""
                    : " (its front end is not in this jar: build with Node.js, see /admin)");
        }
    }

    /** Ready while serving and while the engine's backend (Redis) answers. */
    public boolean isReady() {
        return ready && engine.reachable();
    }

    /** The port actually bound. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String nodeId() {
        return nodeId;
    }

    public Hub hub() {
        return hub;
    }

    /** The Pusher Channels adapter: its apps, and what the Pusher HTTP API asks of connections. */
    public PusherAdapter pusher() {
        return pusher;
    }

    /** Whether the admin UI's front end is bundled in this jar (false also when the admin UI is off). */
    public boolean adminBuilt() {
        return admin != null && admin.built();
    }

    public HeraldMetrics metrics() {
        return metrics;
    }

    /** Open client connections (WebSocket and SSE). */
    public int connectionCount() {
        return connections.count();
    }

    /**
     * Graceful shutdown: readiness goes false, no new connections are accepted, new publishes are
     * refused (API 503) and those in flight finish, then every client is sent {@code disconnect} 4000
     * (reconnect), spread evenly over the drain window so they do not all reconnect at once, and the
     * node closes. Idempotent.
     */
    public void shutdown() {
        if (stopped) {
            return;
        }
        ready = false;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        // the reader ends its round (its rows deleted or left for the next reader) and lets another node take over
        stopOutbox();
        try {
            // publishes already accepted reach every subscriber's queue before any disconnect is queued
            if (!hub.publishGate().closeAndAwait(5000)) {
                log.warn("publishes still in flight after 5 s; draining anyway");
            }
            if (polls != null) {
                polls.drain(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<OpenConnection> open = sweeps.snapshot();
        long windowMillis = config.drainWindow().toMillis();
        log.info("draining {} connections over {} ms", open.size(), windowMillis);
        for (int i = 0; i < open.size(); i++) {
            open.get(i).drainAfter(open.size() == 1 ? 0 : windowMillis * i / (open.size() - 1));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(windowMillis + 2000);
        while (connections.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    /** Stops at once: closes the listener, every connection (without a disconnect push) and the engine. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        ready = false;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        stopOutbox();
        sweeps.close();
        if (admin != null) {
            admin.close();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        // closed here, not left to the loops' shutdown (see Connections#open)
        connections.closeAll(2000);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        webhooks.close();
        engine.close();
        proxy.close();
        log.info("node {} stopped", nodeId);
    }

    private void stopOutbox() {
        OutboxReader reader = outbox;
        if (reader != null) {
            reader.close();
        }
    }

    /** Answers an oversized body with a JSON 413 instead of Netty's empty one. */
    private static final class JsonHttpAggregator extends HttpObjectAggregator {
        JsonHttpAggregator() {
            super(MAX_HTTP_BODY);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            // with keep-alive the aggregator discards the rest of the body and the connection stays
            // usable; closing at once would reset a client still uploading before it reads the 413
            if (oversized instanceof io.netty.handler.codec.http.HttpRequest r && PusherHttpApi.handles(r.uri())) {
                HttpReplies.write(ctx, HttpUtil.isKeepAlive(oversized), HttpReplies.pusherResponse(
                        PusherHttpApi.bodyTooLarge(), HttpUtil.isKeepAlive(oversized)));
                return;
            }
            HttpReplies.error(ctx, HttpUtil.isKeepAlive(oversized), ErrorCode.MESSAGE_TOO_LARGE,
                    "request body is larger than " + MAX_HTTP_BODY + " bytes");
        }

        /** An oversized body announced with {@code Expect: 100-continue} gets the same JSON 413, not an empty one. */
        @Override
        protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
            if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
                return HttpReplies.response(ErrorCode.MESSAGE_TOO_LARGE.status(), HttpReplies.errorBody(
                        ErrorCode.MESSAGE_TOO_LARGE, "request body is larger than " + MAX_HTTP_BODY + " bytes"),
                        HttpUtil.isKeepAlive(start), 0);
            }
            return super.newContinueResponse(start, maxContentLength, pipeline);
        }

        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return !(msg instanceof FullHttpRequest) && super.acceptInboundMessage(msg);
        }
    }

}
