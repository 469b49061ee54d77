package io.herald.engine.memory;

import io.herald.protocol.ChannelName;
import io.herald.protocol.Publication;
import java.nio.charset.StandardCharsets;

/**
 * One stream's retained publications, oldest first, as bytes: each entry's frame and fields (event,
 * user, the excluded client) in a byte ring, its offset and time in primitive rings. Not
 * thread-safe: the stream's monitor guards it.
 *
 * <p>Kept as {@link Publication} objects, the history was most of what a young collection copied
 * (each publication stays for its {@code history_size} successors, seconds to minutes, through
 * several collections: four objects and the frame, copied each time). In these arrays it is written
 * once into space that stays (the arrays are reused as the ring turns, and have no references for
 * the collector to follow); a read, which is rare next to publishing, builds its publications anew.
 */
final class HistoryRing {
    private static final int MIN_ENTRIES = 4;
    private static final int MIN_BYTES = 256;
    /** Marks a null string field. */
    private static final int NONE = 0xFFFF;

    private final ChannelName channel;
    private final String epoch;
    private long[] offsets = new long[MIN_ENTRIES];
    private long[] times = new long[MIN_ENTRIES];
    /** Where an entry's bytes start in {@link #data}, as a position that only grows; its length. */
    private long[] starts = new long[MIN_ENTRIES];
    private int[] lengths = new int[MIN_ENTRIES];
    private int head;
    private int size;
    private final ByteRing data = new ByteRing(MIN_BYTES);

    HistoryRing(ChannelName channel, String epoch) {
        this.channel = channel;
        this.epoch = epoch;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long oldestOffset() {
        return offsets[head];
    }

    /** The offset of the {@code i}-th oldest publication. */
    long offsetAt(int i) {
        return offsets[(head + i) % offsets.length];
    }

    long oldestTime() {
        return times[head];
    }

    void removeFirst() {
        head = (head + 1) % offsets.length;
        size--;
        if (size == 0) {
            head = 0;
            data.clear();
        }
        if (offsets.length > MIN_ENTRIES && size <= offsets.length / 4) {
            resize(offsets.length / 2, 0);
        } else if (data.capacity() > MIN_BYTES && used() < data.capacity() / 4) {
            resize(offsets.length, 0);
        }
    }

    /** Appends {@code p}, the stream's newest publication. */
    void addLast(Publication p) {
        byte[] event = p.event().getBytes(StandardCharsets.UTF_8);
        byte[] user = p.user() == null ? null : p.user().getBytes(StandardCharsets.UTF_8);
        byte[] excluded = p.excludeClient() == null ? null : p.excludeClient().getBytes(StandardCharsets.UTF_8);
        int length = field(event) + field(user) + field(excluded) + p.frame().length;
        if (size == offsets.length || used() + length > data.capacity()) {
            resize(size == offsets.length ? offsets.length * 2 : offsets.length, length);
        }
        int slot = (head + size) % offsets.length;
        offsets[slot] = p.offset();
        times[slot] = p.timestampMillis();
        starts[slot] = data.end();
        lengths[slot] = length;
        put(event);
        put(user);
        put(excluded);
        data.append(p.frame());
        size++;
    }

    /** The {@code i}-th oldest publication, built from its bytes. */
    Publication get(int i) {
        int slot = (head + i) % offsets.length;
        long at = starts[slot];
        String event = string(at);
        at = after(at);
        String user = string(at);
        at = after(at);
        String excluded = string(at);
        at = after(at);
        int frameLength = lengths[slot] - (int) (at - starts[slot]);
        byte[] frame = new byte[frameLength];
        data.read(at, frame, frameLength);
        return new Publication(channel, event, offsets[slot], epoch, times[slot], user, frame, excluded);
    }

    private static int field(byte[] bytes) {
        if (bytes != null && bytes.length >= NONE) {
            throw new IllegalArgumentException("a publication field over " + (NONE - 1) + " bytes");
        }
        return 2 + (bytes == null ? 0 : bytes.length);
    }

    private long used() {
        return size == 0 ? 0 : data.end() - starts[head];
    }

    /** Appends a string field: its length prefix ({@link #NONE} for null), then its bytes. */
    private void put(byte[] bytes) {
        int n = bytes == null ? NONE : bytes.length;
        data.append(n >>> 8);
        data.append(n);
        if (bytes != null) {
            data.append(bytes);
        }
    }

    /** The length prefix of the string field at {@code at}: its byte count, or {@link #NONE} for null. */
    private int prefix(long at) {
        return data.get(at) << 8 | data.get(at + 1);
    }

    /** Where the field after the string field at {@code at} starts. */
    private long after(long at) {
        int n = prefix(at);
        return at + 2 + (n == NONE ? 0 : n);
    }

    /** The string field at {@code at}. */
    private String string(long at) {
        int n = prefix(at);
        if (n == NONE) {
            return null;
        }
        byte[] bytes = new byte[n];
        data.read(at + 2, bytes, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Rebuilds the rings at {@code entries} slots with room for {@code more} more bytes. */
    private void resize(int entries, int more) {
        long used = used();
        long need = used + more;
        int bytes = MIN_BYTES;
        while (bytes < need + need / 4) {
            bytes *= 2; // a quarter's room to turn before the next copy
        }
        long base = size == 0 ? data.end() : starts[head];
        data.rebase(base, bytes);
        long[] no = new long[entries];
        long[] nt = new long[entries];
        long[] ns = new long[entries];
        int[] nl = new int[entries];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % offsets.length;
            no[i] = offsets[from];
            nt[i] = times[from];
            ns[i] = starts[from] - base;
            nl[i] = lengths[from];
        }
        offsets = no;
        times = nt;
        starts = ns;
        lengths = nl;
        head = 0;
    }
}
