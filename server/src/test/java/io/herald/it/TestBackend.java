package io.herald.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend for the proxy tests (the JDK's HTTP server on 127.0.0.1 and a free port): each
 * path answers as its {@link Answer} says, and every call is recorded with its headers and JSON body.
 * Handlers run on virtual threads, so a slow answer holds up no other call.
 */
final class TestBackend implements AutoCloseable {
    /** One call as the backend received it; header names lower-case. */
    record Call(String path, Map<String, List<String>> headers, JsonNode body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : String.join(",", v);
        }
    }

    /** How a path answers a call. */
    @FunctionalInterface
    interface Answer {
        void write(HttpExchange ex, JsonNode body) throws Exception;
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    /** Calls whose answer is still being written (slow answers in progress). */
    final AtomicInteger inFlight = new AtomicInteger();

    TestBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void on(String path, Answer answer) {
        answers.put(path, answer);
    }

    /** The next call received within 5 s. */
    Call next() {
        try {
            Call c = calls.poll(5, TimeUnit.SECONDS);
            if (c == null) {
                throw new AssertionError("the backend received no call within 5 s");
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Calls received and not yet taken, removed. */
    List<Call> drain() {
        List<Call> out = new java.util.ArrayList<>();
        calls.drainTo(out);
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body = in.length == 0 ? null : JsonCodec.MAPPER.readTree(in);
            Map<String, List<String>> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
            String path = ex.getRequestURI().getPath();
            calls.add(new Call(path, headers, body));
            Answer a = answers.getOrDefault(path, status(404, "no answer set for " + path));
            a.write(ex, body);
        } catch (IOException e) {
            // the client gave up (a timeout case): nothing to answer
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Answers {@code status} with {@code body} as JSON. */
    static Answer json(int status, String body) {
        return (ex, in) -> send(ex, status, body.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** {@code {"result":…}} with 200. */
    static Answer result(String resultJson) {
        return json(200, "{\"result\":" + resultJson + "}");
    }

    /** Answers {@code status} with a plain-text body (not the answer shape). */
    static Answer status(int status, String text) {
        return (ex, in) -> send(ex, status, text.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    /** Waits {@code delay}, then answers as {@code then}. */
    static Answer after(Duration delay, Answer then) {
        return (ex, in) -> {
            Thread.sleep(delay.toMillis());
            then.write(ex, in);
        };
    }

    /** A 200 whose body is {@code bytes} long: a result padded with a long string. */
    static Answer oversized(int bytes) {
        return (ex, in) -> {
            String pad = "x".repeat(bytes);
            send(ex, 200, ("{\"result\":{\"user\":\"u\",\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8),
                    "application/json");
        };
    }

    static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
