package io.herald.engine.memory;

/**
 * Bytes appended at positions that only grow, in a power-of-two array reused as it turns: position
 * {@code p} is at {@code p & (capacity - 1)}. The owner knows which positions are still live (from
 * its oldest entry to {@link #end()}), never writes past {@code capacity} live bytes, and moves them
 * to a new array with {@link #rebase} when it needs more room or less. The byte store of
 * {@link HistoryRing} and {@link IdempotencyWindow}. Not thread-safe.
 */
final class ByteRing {
    private byte[] data;
    private long end;

    /** {@code capacity}: a power of two. */
    ByteRing(int capacity) {
        data = new byte[capacity];
    }

    int capacity() {
        return data.length;
    }

    /** The position the next byte goes to. */
    long end() {
        return end;
    }

    /** Starts again at position 0, with nothing live. */
    void clear() {
        end = 0;
    }

    void append(int b) {
        data[(int) end & (data.length - 1)] = (byte) b;
        end++;
    }

    void append(byte[] src) {
        int start = (int) end & (data.length - 1);
        int first = Math.min(src.length, data.length - start);
        System.arraycopy(src, 0, data, start, first);
        System.arraycopy(src, first, data, 0, src.length - first);
        end += src.length;
    }

    /** The byte at position {@code at}, 0–255. */
    int get(long at) {
        return data[(int) at & (data.length - 1)] & 0xFF;
    }

    /** Copies {@code n} bytes from position {@code at} into {@code dst}. */
    void read(long at, byte[] dst, int n) {
        int start = (int) at & (data.length - 1);
        int first = Math.min(n, data.length - start);
        System.arraycopy(data, start, dst, 0, first);
        System.arraycopy(data, 0, dst, first, n - first);
    }

    /**
     * Moves the live bytes, from position {@code start} to {@link #end()}, into a new array of
     * {@code capacity} (a power of two, at least their count), where they begin at position 0: a
     * position {@code p} of before is {@code p - start} after.
     */
    void rebase(long start, int capacity) {
        int used = (int) (end - start);
        byte[] next = new byte[capacity];
        read(start, next, used);
        data = next;
        end = used;
    }
}
