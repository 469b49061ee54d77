package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's view of a server's TCP connections (/proc/net/tcp and tcp6): whether the server
 * still holds a client's connection open, learnt without reading from the client's socket. A
 * server that closes a connection whose peer reads nothing leaves its side in FIN_WAIT1 (or drops
 * it), so "not ESTABLISHED" means the server closed it.
 */
final class TcpTable {
    static final int ESTABLISHED = 0x01;

    /** One connection's server side: TCP state and bytes sent but not yet acknowledged (the kernel's share of a backlog). */
    record Entry(int state, long sendQueue) {
    }

    private TcpTable() {
    }

    /** Remote (client) port → the server's side, for connections to local {@code serverPort}. */
    static Map<Integer, Entry> serverSide(int serverPort) throws IOException {
        Map<Integer, Entry> states = new HashMap<>();
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(file);
            if (Files.isReadable(p)) {
                states.putAll(parse(Files.readAllLines(p), serverPort));
            }
        }
        return states;
    }

    /** Parses the lines of /proc/net/tcp{,6} (header included): entries whose local port is {@code serverPort}. */
    static Map<Integer, Entry> parse(List<String> lines, int serverPort) {
        Map<Integer, Entry> states = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || !f[0].endsWith(":") || port(f[1]) != serverPort) {
                continue;
            }
            Entry e = new Entry(Integer.parseInt(f[3], 16), Long.parseLong(f[4].substring(0, f[4].indexOf(':')), 16));
            // a reused client port may show an old TIME_WAIT entry beside the live one: the live one wins
            states.merge(port(f[2]), e, (a, b) -> a.state() == ESTABLISHED ? a : b);
        }
        return states;
    }

    private static int port(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(hostPort.substring(colon + 1), 16);
    }
}
