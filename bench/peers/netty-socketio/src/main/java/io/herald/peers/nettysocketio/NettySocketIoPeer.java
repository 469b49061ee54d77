package io.herald.peers.nettysocketio;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CountDownLatch;

/**
 * The netty-socketio comparison peer of bench/PEER-CONTRACT.md: WebSocket transport only, no
 * compression, default namespace.
 * <ul>
 *   <li>{@code 42["join",room]}: the socket joins {@code room}; the reply is {@code 42["joined",room]}.</li>
 *   <li>{@code 42["publish",{"room","data"}]}: {@code 42["tick",data]} to every member of the room.</li>
 * </ul>
 * Usage: {@code java -jar netty-socketio-peer.jar PORT}; prints {@code listening PORT} once bound.
 */
public final class NettySocketIoPeer {
    /** The body of a {@code publish} event. */
    public static final class PublishMessage {
        public String room;
        public JsonNode data;
    }

    private NettySocketIoPeer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port;
        try {
            port = Integer.parseInt(args.length == 1 ? args[0] : "");
        } catch (NumberFormatException e) {
            System.err.println("usage: java -jar netty-socketio-peer.jar PORT");
            System.exit(2);
            return;
        }

        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setTransports(Transport.WEBSOCKET);
        config.setWebsocketCompression(false);
        config.setHttpCompression(false);
        config.setMaxFramePayloadLength(16 * 1024 * 1024);
        config.setUseLinuxNativeEpoll(io.netty.channel.epoll.Epoll.isAvailable());
        SocketConfig socket = new SocketConfig();
        socket.setTcpNoDelay(true);
        socket.setReuseAddress(true);
        config.setSocketConfig(socket);

        SocketIOServer server = new SocketIOServer(config);
        server.addEventListener("join", String.class, (client, room, ack) -> {
            if (room == null || room.isEmpty()) {
                return;
            }
            client.joinRoom(room);
            client.sendEvent("joined", room);
        });
        server.addEventListener("publish", PublishMessage.class, (client, msg, ack) -> {
            if (msg == null || msg.room == null) {
                return;
            }
            server.getRoomOperations(msg.room).sendEvent("tick", msg.data);
        });

        server.start();
        System.out.println("listening " + port);
        System.out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }, "peer-shutdown"));
        stopped.await();
    }
}
