package io.herald.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a bare socket, for abuse tests the JDK client refuses to do: invalid UTF-8,
 * arbitrary opcodes, floods without reading, never reading at all, dropping mid-frame. It speaks
 * RFC 6455 framing by hand; every frame it sends is masked as a browser's would be.
 */
final class RawWsClient implements AutoCloseable {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A frame received from the server. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawWsClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects and completes the upgrade; {@code receiveBuffer} > 0 shrinks the socket's receive buffer. */
    static RawWsClient connect(int port, String pathAndQuery, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        RawWsClient c = new RawWsClient(s);
        c.handshake(pathAndQuery);
        return c;
    }

    static RawWsClient connect(int port, String pathAndQuery) throws IOException {
        return connect(port, pathAndQuery, 0);
    }

    private void handshake(String pathAndQuery) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readHeaders();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + status);
        }
    }

    /** The server's answer to an upgrade request: status, headers (lower-case names) and body. */
    record HttpAnswer(int status, java.util.Map<String, String> headers, String body) {
    }

    /**
     * Sends a WebSocket upgrade request on a fresh socket (with {@code Origin} when not null) and returns
     * the HTTP answer; for refused upgrades (403, 429) whose headers and body matter. A 101 is returned
     * without a body and the socket is closed.
     */
    static HttpAnswer tryUpgrade(int port, String pathAndQuery, String origin) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(5000);
            RawWsClient c = new RawWsClient(s);
            byte[] nonce = new byte[16];
            RANDOM.nextBytes(nonce);
            String req = "GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                    + "\r\nSec-WebSocket-Version: 13\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
            c.out.write(req.getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            String head = c.readHead();
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String body = "";
            if (status != 101 && headers.containsKey("content-length")) {
                byte[] b = new byte[Integer.parseInt(headers.get("content-length"))];
                c.in.readFully(b);
                body = new String(b, StandardCharsets.UTF_8);
            }
            return new HttpAnswer(status, headers, body);
        }
    }

    /** Reads the response head; returns the status line. */
    private String readHeaders() throws IOException {
        String text = readHead();
        int eol = text.indexOf("\r\n");
        return eol < 0 ? text : text.substring(0, eol);
    }

    /** Reads the response head up to and excluding the blank line. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        return text.substring(0, text.length() - 4);
    }

    /** Sends one masked frame with FIN set. */
    void send(int opcode, byte[] payload) throws IOException {
        out.write(encode(opcode, payload, true));
        out.flush();
    }

    void sendText(String text) throws IOException {
        send(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Encodes a masked client frame. */
    static byte[] encode(int opcode, byte[] payload, boolean fin) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int len = payload.length;
        if (len < 126) {
            f.write(0x80 | len);
        } else if (len < 65536) {
            f.write(0x80 | 126);
            f.write(len >>> 8);
            f.write(len);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) len >>> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < len; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    /** Writes raw bytes, e.g. half a frame before dropping the connection. */
    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next frame from the server; throws on timeout or end of stream. */
    Frame read() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    /** The next text frame, answering server pings on the way. */
    String readText() throws IOException {
        while (true) {
            Frame f = read();
            if (f.opcode() == TEXT) {
                return f.text();
            }
            if (f.opcode() == PING) {
                send(PONG, f.payload());
            } else if (f.opcode() == CLOSE) {
                throw new EOFException("server closed with " + f.closeCode());
            }
        }
    }

    /** Reads frames until the server's close frame and returns its code, or -1 if the stream ended without one. */
    int readUntilClose() throws IOException {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == CLOSE) {
                    return f.closeCode();
                }
            }
        } catch (EOFException e) {
            return -1;
        }
    }

    /** True when the server closed the TCP connection (reads end) within {@code millis}. */
    boolean closedWithin(long millis) throws IOException {
        socket.setSoTimeout((int) millis);
        InputStream raw = socket.getInputStream();
        byte[] sink = new byte[8192];
        long deadline = System.currentTimeMillis() + millis;
        try {
            while (System.currentTimeMillis() < deadline) {
                if (raw.read(sink) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Drops the connection with a TCP reset (SO_LINGER 0), as a crashed peer would. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
