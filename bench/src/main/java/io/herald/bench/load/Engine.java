package io.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The generator's WebSocket client: one small event-loop group for all connections of a process,
 * each connection bound to a loopback source address in turn, so that more connections fit than one
 * source address has ephemeral ports. Only 127.0.0.0/8 targets are accepted.
 */
public final class Engine implements AutoCloseable {
    static final int MAX_FRAME = 1 << 20;
    private final Transport transport = Transport.best();
    private final EventLoopGroup group;
    private final List<InetSocketAddress> sources;
    private int next;

    /** {@code sources}: local addresses to bind, round-robin (empty: let the kernel choose). */
    public Engine(int threads, List<String> sources) {
        this.group = transport.group(threads);
        this.sources = sources.stream().map(s -> new InetSocketAddress(s, 0)).toList();
    }

    public String transportName() {
        return transport.name();
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * Starts one connection to ws://host:port{path} speaking {@code protocol}; {@code listener}
     * hears once whether it became ready. Must be called from one thread (round-robin state).
     */
    public Conn connect(String host, int port, String path, Protocol protocol, Stats stats, String[] channels,
                        Conn.Listener listener) {
        if (!host.startsWith("127.")) {
            throw new IllegalArgumentException("only loopback targets (127.0.0.0/8) are allowed: " + host);
        }
        URI uri = URI.create("ws://" + host + ":" + port + path);
        Conn conn = new Conn(protocol, stats, channels, listener);
        Bootstrap b = new Bootstrap().group(group).channel(transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 20, 64 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(config(uri)),
                                new WebSocketFrameAggregator(MAX_FRAME), conn);
                    }
                });
        ChannelFuture f = sources.isEmpty() ? b.connect(host, port)
                : b.connect(new InetSocketAddress(host, port), sources.get(next++ % sources.size()));
        f.addListener(done -> {
            if (!done.isSuccess()) {
                conn.fail("connect: " + done.cause().getMessage());
            } else {
                // covers a server that upgrades but never confirms the subscription
                f.channel().eventLoop().schedule(() -> conn.fail("not ready within 30 s"), 30, TimeUnit.SECONDS);
            }
        });
        return conn;
    }

    private static WebSocketClientProtocolConfig config(URI uri) {
        return WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri).version(WebSocketVersion.V13)
                .allowExtensions(false).customHeaders(new DefaultHttpHeaders()).maxFramePayloadLength(MAX_FRAME)
                .handshakeTimeoutMillis(15_000).dropPongFrames(true).handleCloseFrames(true)
                .absoluteUpgradeUrl(false).generateOriginHeader(false)
                .withUTF8Validator(false).build(); // validating every text frame costs the generator, not the server
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
