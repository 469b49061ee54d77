package io.herald.transport;

import io.herald.api.ServerApi;
import io.herald.auth.Authenticator;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.hub.Hub;
import io.herald.session.SessionServices;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import java.net.InetSocketAddress;
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
    public static final int MAX_HTTP_BODY = 1024 * 1024;
    public static final String VERSION = "0.1.0";

    private final HeraldConfig config;
    private final Engine engine;
    private final Hub hub;
    private final String nodeId = "n_" + UUID.randomUUID().toString().substring(0, 8);
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EventLoops loops;
    private Channel serverChannel;
    private volatile boolean ready;

    private HeraldServer(HeraldConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.hub = new Hub(engine.broker());
        this.loops = EventLoops.best();
        this.boss = loops.group(1, "herald-accept");
        this.workers = loops.group(0, "herald-io");
    }

    /** Starts a node on {@code config.host():config.port()} (port 0: any free port). */
    public static HeraldServer start(HeraldConfig config, Engine engine, Authenticator authenticator)
            throws InterruptedException {
        HeraldServer server = new HeraldServer(config, engine);
        server.bind(authenticator);
        return server;
    }

    private void bind(Authenticator authenticator) throws InterruptedException {
        SessionServices services = new SessionServices(config, engine, hub, authenticator);
        ServerApi api = new ServerApi(config, engine, hub, nodeId, VERSION);
        WebSocketUpgrade upgrade = new WebSocketUpgrade(config, services);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("http", new HttpServerCodec());
                        ch.pipeline().addLast("http-aggregator", new JsonHttpAggregator());
                        ch.pipeline().addLast("router", new HttpRouter(upgrade, api, () -> ready));
                    }
                });
        serverChannel = b.bind(config.host(), config.port()).sync().channel();
        ready = true;
        log.info("Herald {} node {} listening on {}:{} ({} transport, {} engine)", VERSION, nodeId,
                config.host(), port(), loops.name(), engine.name());
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

    @Override
    public void close() {
        ready = false;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        engine.close();
    }

    /** Answers an oversized body with a JSON 413 instead of Netty's empty one. */
    private static final class JsonHttpAggregator extends HttpObjectAggregator {
        JsonHttpAggregator() {
            super(MAX_HTTP_BODY);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            HttpReplies.error(ctx, false, 413, "message_too_large",
                    "request body is larger than " + MAX_HTTP_BODY + " bytes");
        }

        @Override
        public boolean acceptInboundMessage(Object msg) throws Exception {
            return !(msg instanceof FullHttpRequest) && super.acceptInboundMessage(msg);
        }
    }

}
