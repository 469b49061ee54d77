package io.herald.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a raw HTTP/1.1 socket to its end, for the hardening tests that write requests by hand. */
final class RawHttp {
    private RawHttp() {
    }

    /** What arrived before the server closed, and the milliseconds it took. */
    record Ended(String text, long millis) {
        /** How many HTTP responses the text holds. */
        int answers() {
            Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3} ").matcher(text);
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }
    }

    /** Reads until the server closes (a reset ends it as well as a FIN). */
    static Ended readToEnd(Socket s) throws IOException {
        long start = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // a reset ends it as well as a FIN
        }
        return new Ended(out.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
    }
}
