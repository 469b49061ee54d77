package io.herald.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The one Jackson mapper Herald uses for the wire. Thread-safe. Nesting is capped so a frame of
 * 10,000 nested arrays is a {@code bad_request}, not a stack overflow.
 */
public final class JsonCodec {
    /** Deepest JSON nesting accepted in a frame or API body. */
    public static final int MAX_NESTING = 128;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonCodec() {
    }

    /** Writes the fields of one JSON object. */
    @FunctionalInterface
    public interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** Encodes one JSON object whose fields {@code fields} writes; used for every frame and API body. */
    public static byte[] object(Fields fields) {
        Out out = Out.take();
        try {
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                fields.write(g);
                g.writeEndObject();
            }
            return Arrays.copyOf(out.buf, out.count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out.give();
        }
    }

    /**
     * A thread's reusable output buffer for {@link #object}: each publication encodes a frame, and a
     * fresh stream per frame grew and copied its array several times. Unsynchronized; owned by its
     * thread, and taken while one object is written (a nested {@link #object} gets a fresh one).
     * Buffers grown past {@link #KEEP_BYTES} are not kept, so a huge frame pins no memory.
     */
    private static final class Out extends OutputStream {
        private static final int KEEP_BYTES = 64 * 1024;
        private static final ThreadLocal<Out> MINE = ThreadLocal.withInitial(Out::new);
        byte[] buf = new byte[512];
        int count;
        boolean taken;

        static Out take() {
            Out out = MINE.get();
            if (out.taken) {
                out = new Out();
            }
            out.taken = true;
            out.count = 0;
            return out;
        }

        void give() {
            taken = false;
            if (buf.length > KEEP_BYTES) {
                buf = new byte[512];
            }
        }

        @Override
        public void write(int b) {
            if (count == buf.length) {
                grow(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len > buf.length - count) {
                grow(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void grow(int more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }
}
