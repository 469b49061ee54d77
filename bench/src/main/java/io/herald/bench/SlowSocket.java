package io.herald.bench;

import java.io.IOException;
import java.time.Duration;

/**
 * A subscriber of any system that stops reading once its subscription is confirmed, with a 4 KiB
 * receive buffer: the slowest consumer there is. Each system's handshake follows
 * bench/PEER-CONTRACT.md; whether the server later closes it is seen from the server's side of the
 * connection ({@link TcpTable}), since reading to find out would make it a fast consumer.
 */
final class SlowSocket implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final BlockingWebSocket ws;

    private SlowSocket(BlockingWebSocket ws) {
        this.ws = ws;
    }

    /** Connects to {@code system}'s server, subscribes to {@code channel}, waits for the confirmation, then reads no more. */
    static SlowSocket subscribe(String system, int port, String token, String channel) throws IOException {
        String path = switch (system) {
            case "herald" -> "/ws?token=" + token;
            case "socketio", "netty-socketio" -> "/socket.io/?EIO=4&transport=websocket";
            case "ws", "nats" -> "/";
            default -> throw new IllegalArgumentException("unknown system " + system);
        };
        BlockingWebSocket ws = BlockingWebSocket.open(port, path, 4096, TIMEOUT);
        try {
            switch (system) {
                case "herald" -> {
                    ws.await(t -> t.startsWith("{\"type\":\"connected\""), t -> { });
                    ws.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
                    ws.await(t -> t.startsWith("{\"type\":\"subscribed\""), t -> failOnError(t, "{\"type\":\"error\""));
                }
                case "socketio", "netty-socketio" -> {
                    ws.await(t -> t.startsWith("0"), t -> { });
                    ws.sendText("40");
                    ws.await(t -> t.startsWith("40"), t -> failOnError(t, "44"));
                    ws.sendText("42[\"join\",\"" + channel + "\"]");
                    ws.await(t -> t.startsWith("42[\"joined\""), t -> failOnError(t, "44"));
                }
                case "nats" -> {
                    ws.await(t -> t.startsWith("INFO "), t -> { });
                    ws.sendText("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nSUB "
                            + channel.replace(':', '.') + " 1\r\nPING\r\n");
                    ws.await(t -> t.contains("PONG\r\n"), t -> failOnError(t, "-ERR"));
                }
                default -> {
                    // raw ws: every connection already gets every broadcast
                }
            }
            return new SlowSocket(ws);
        } catch (IOException | RuntimeException e) {
            ws.close();
            throw e;
        }
    }

    private static void failOnError(String frame, String errorPrefix) {
        if (frame.startsWith(errorPrefix)) {
            throw new IllegalStateException("slow subscriber refused: " + frame);
        }
    }

    int localPort() {
        return ws.localPort();
    }

    @Override
    public void close() throws IOException {
        ws.close();
    }
}
