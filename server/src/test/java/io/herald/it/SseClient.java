package io.herald.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client over the JDK's HTTP/1.1 client, parsing the stream the way a browser's
 * EventSource does: {@code id:} and {@code data:} fields, events dispatched on a blank line, comment
 * lines seen separately. A reader thread queues what arrives; the end of the stream is an event too.
 */
final class SseClient implements AutoCloseable {
    /** One dispatched event; {@code id} is the last event id in force (EventSource keeps it between events). */
    record Event(String id, String data, boolean comment, boolean end) {
        JsonNode json() {
            try {
                return JsonCodec.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String type() {
            return json().path("type").asText();
        }
    }

    private final HttpClient http;
    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    /** Held by the reader while it reads a line; {@link #pause} takes it so the socket is not read. */
    private final java.util.concurrent.Semaphore reading = new java.util.concurrent.Semaphore(1);

    private SseClient(HttpClient http, HttpResponse<InputStream> response) {
        this.http = http;
        this.response = response;
        this.reader = Thread.ofVirtual().start(this::read);
    }

    static SseClient open(URI uri, Map<String, String> headers) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().header("Accept", "text/event-stream");
        headers.forEach(b::header);
        try {
            return new SseClient(http, http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    private void read() {
        String lastId = null;
        StringBuilder data = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = readLine(in)) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(lastId, data.toString(), false, false));
                    }
                    data = null;
                } else if (line.startsWith(":")) {
                    events.add(new Event(lastId, line, true, false));
                } else if (line.startsWith("id:")) {
                    lastId = field(line);
                } else if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder(field(line)) : data.append('\n').append(field(line));
                }
            }
        } catch (IOException e) {
            // the stream ended abruptly: reported as its end
        }
        events.add(new Event(lastId, null, false, true));
    }

    private String readLine(BufferedReader in) throws IOException {
        reading.acquireUninterruptibly();
        try {
            return in.readLine();
        } finally {
            reading.release();
        }
    }

    /**
     * Stops reading from the socket (what arrived is still queued) until {@link #resume}, so the server
     * sees a client that does not read; waits until the line being read is complete.
     */
    void pause() {
        reading.acquireUninterruptibly();
    }

    void resume() {
        reading.release();
    }

    private static String field(String line) {
        String v = line.substring(line.indexOf(':') + 1);
        return v.startsWith(" ") ? v.substring(1) : v;
    }

    /** The next event or comment, or fails after {@code timeout}. */
    Event next(Duration timeout) {
        try {
            Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no SSE event within " + timeout);
            }
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next data event (comments skipped); fails on the end of the stream. */
    Event nextEvent() {
        while (true) {
            Event e = next(Duration.ofSeconds(10));
            if (e.end()) {
                throw new AssertionError("the stream ended");
            }
            if (!e.comment()) {
                return e;
            }
        }
    }

    /** The next data event, which must have {@code type}. */
    Event expect(String type) {
        Event e = nextEvent();
        if (!type.equals(e.type())) {
            throw new AssertionError("expected a " + type + " event, got " + e.data());
        }
        return e;
    }

    /** Waits for the end of the stream, skipping comments; fails on a data event. */
    void expectEnd() {
        while (true) {
            Event e = next(Duration.ofSeconds(10));
            if (e.end()) {
                return;
            }
            if (!e.comment()) {
                throw new AssertionError("expected the end of the stream, got " + e.data());
            }
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing anyway
        }
        http.shutdownNow();
        reader.interrupt();
    }
}
