package io.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A subscriber that never reads after subscribing, with a small receive buffer: the slowest
 * consumer there is. Speaks just enough RFC 6455 to upgrade and send one masked frame.
 */
final class SlowSocket implements AutoCloseable {
    private final Socket socket;

    private SlowSocket(Socket socket) {
        this.socket = socket;
    }

    static SlowSocket subscribe(int port, String token, String channel) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        OutputStream out = s.getOutputStream();
        out.write(("GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("upgrade failed");
            }
            matched = (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        byte[] payload = ("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[payload.length + 6];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        out.write(frame);
        out.flush();
        return new SlowSocket(s);
    }

    /** True once the server has closed the connection (probed without reading data that matters). */
    boolean serverClosed() {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[65536];
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
