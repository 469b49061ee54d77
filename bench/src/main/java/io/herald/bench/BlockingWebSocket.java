package io.herald.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;

/**
 * Just enough RFC 6455 over a plain blocking socket to upgrade, exchange a few text frames, and
 * then stop reading at will: the slow consumer's client. Owned by one thread; not for load.
 */
final class BlockingWebSocket implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private BlockingWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 4096));
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to ws://127.0.0.1:port{path} with a small receive buffer ({@code receiveBuffer}
     * bytes, set before connecting so the TCP window stays small) and completes the upgrade.
     */
    static BlockingWebSocket open(int port, String path, int receiveBuffer, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setReceiveBufferSize(receiveBuffer);
            s.setSoTimeout((int) timeout.toMillis());
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BlockingWebSocket ws = new BlockingWebSocket(s);
            String status = ws.readHeaders();
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("upgrade refused: " + status);
            }
            return ws;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Reads the HTTP response head; returns its status line. */
    private String readHeaders() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** The local port: with the server's port it names the connection in /proc/net/tcp. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Reads data frames until one satisfies {@code wanted}; {@code onOther} sees the others (e.g. to answer a ping). */
    String await(Predicate<String> wanted, java.util.function.Consumer<String> onOther) throws IOException {
        while (true) {
            String text = readData();
            if (wanted.test(text)) {
                return text;
            }
            onOther.accept(text);
        }
    }

    /** The next text or binary frame's payload as UTF-8 (control frames skipped; a close frame ends it). */
    private String readData() throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            if (len > 1 << 20) {
                throw new IOException("frame of " + len + " bytes");
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            int opcode = b0 & 0x0f;
            if (opcode == 8) {
                throw new EOFException("closed by the server");
            }
            if (opcode <= 2) {
                return new String(payload, StandardCharsets.UTF_8);
            }
        }
    }

    /** Sends one masked text frame (clients must mask). */
    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        int header = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[header + 4 + payload.length];
        frame[0] = (byte) 0x81;
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >> 8);
            frame[3] = (byte) payload.length;
        } else {
            throw new IOException("frame too large for this client");
        }
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        out.write(frame);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
