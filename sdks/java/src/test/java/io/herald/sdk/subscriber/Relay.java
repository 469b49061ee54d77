package io.herald.sdk.subscriber;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of a real node that can go silent: while frozen it keeps every connection
 * open but forwards nothing either way, as a network that stopped delivering would.
 */
final class Relay implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean frozen;
    private final Thread acceptor;

    Relay(int upstreamPort) throws IOException {
        this.upstream = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().start(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Stops forwarding; a connection that saw the freeze stays silent for good, those made after {@link #thaw} work. */
    void freeze() {
        frozen = true;
    }

    void thaw() {
        frozen = false;
    }

    int connections() {
        return sockets.size() / 2;
    }

    private void accept() {
        try {
            while (true) {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstream);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> pump(client, server));
                Thread.ofVirtual().start(() -> pump(server, client));
            }
        } catch (IOException closed) {
            // the relay is closed
        }
    }

    /** Copies bytes until either side closes; a frozen relay holds them back (they are never delivered). */
    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[8192];
        boolean dead = false;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                dead = dead || frozen;
                if (!dead) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(Relay::close);
        acceptor.join();
    }
}
