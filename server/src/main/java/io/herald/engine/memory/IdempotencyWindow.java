package io.herald.engine.memory;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The idempotency keys one stream accepted within the window, oldest first, each with the offset
 * its publication got. Not thread-safe: the stream's monitor guards it.
 *
 * <p>Every publish has a key, most of them ending in Herald's own ({@link io.herald.protocol.IdempotencyKey#random}:
 * 128 random bits as 22 URL-safe characters; a client's is scoped by its user, {@code u4:anna:…}), and each
 * is kept for five minutes. As objects (the key's String and its bytes, a map entry, a record) that
 * was about 150 bytes and four objects per publication, which every young collection copied. A key
 * that ends in such 22 characters is kept here as the two 64-bit halves of its bits and the bytes of
 * the text before them (its scope) in primitive arrays: a ring in arrival order, a byte ring for the
 * scopes and an open-addressing index, about 50 bytes and no object per key. Equality stays exact
 * (the same bits and the same scope text); only the index position is hashed, with a seed per
 * window, so keys a caller chooses cannot be aimed at one probe run. Any other key (a caller's own
 * text) is kept by its text as before.
 */
final class IdempotencyWindow {
    private static final int MIN_CAPACITY = 8;
    /** Length of the text of 128 bits in URL-safe base64 without padding. */
    static final int BITS_TEXT = 22;
    /** Scopes longer than this (or not Latin-1) are kept by their text instead. */
    private static final int MAX_SCOPE = 255;
    private static final byte[] DECODE = new byte[128];

    static {
        Arrays.fill(DECODE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = (byte) i;
        }
    }

    /** A key's publication: its offset and when it was accepted. */
    private record Recorded(long offset, long timestampMillis) {
    }

    private final long seed = ThreadLocalRandom.current().nextLong();

    // the ring of compact keys, in arrival order: slot (head + i) % capacity holds the i-th oldest
    private long[] hi;
    private long[] lo;
    private long[] offsets;
    private long[] times;
    /** Where the slot's scope starts in {@link #scopes}, as a position that only grows. */
    private long[] scopeAt;
    private short[] scopeLength;
    private int head;
    private int size;
    /** Open addressing, linear probing: ring slot + 1, 0 for a free cell; twice the ring's capacity. */
    private int[] index;
    /** The scopes' bytes, in the ring's order; null while the ring is. */
    private ByteRing scopes;
    /** Keys of any other form, oldest first; null until the first. */
    private LinkedHashMap<String, Recorded> others;

    boolean isEmpty() {
        return size == 0 && (others == null || others.isEmpty());
    }

    /** The offset of the publication accepted under {@code key}, or -1. */
    long offsetOf(String key) {
        if (!compact(key)) {
            Recorded r = others == null ? null : others.get(key);
            return r == null ? -1 : r.offset();
        }
        int at = find(key, high(key), low(key));
        return at < 0 ? -1 : offsets[index[at] - 1];
    }

    /** Records {@code key} (not recorded yet) for the publication at {@code offset}, accepted at {@code now}. */
    void record(String key, long offset, long now) {
        if (!compact(key)) {
            if (others == null) {
                others = new LinkedHashMap<>();
            }
            others.put(key, new Recorded(offset, now));
            return;
        }
        int scope = key.length() - BITS_TEXT;
        if (hi == null || size == hi.length) {
            resize(hi == null ? MIN_CAPACITY : hi.length * 2, scope);
        } else if (scopes.end() - scopesStart() + scope > scopes.capacity()) {
            resize(hi.length, scope);
        }
        int slot = (head + size) % hi.length;
        hi[slot] = high(key);
        lo[slot] = low(key);
        offsets[slot] = offset;
        times[slot] = now;
        scopeAt[slot] = scopes.end();
        scopeLength[slot] = (short) scope;
        for (int i = 0; i < scope; i++) {
            scopes.append(key.charAt(i));
        }
        size++;
        insert(slot);
    }

    /** Forgets the keys accepted before {@code oldestKept}. */
    void expire(long oldestKept) {
        while (size > 0 && times[head] < oldestKept) {
            remove(cellOf(head));
            head = (head + 1) % hi.length;
            size--;
        }
        if (size == 0) {
            hi = lo = offsets = times = scopeAt = null;
            scopeLength = null;
            index = null;
            scopes = null;
            head = 0;
        } else if (hi.length > MIN_CAPACITY && size <= hi.length / 4) {
            resize(hi.length / 2, 0);
        }
        if (others != null) {
            Iterator<Map.Entry<String, Recorded>> it = others.entrySet().iterator();
            while (it.hasNext() && it.next().getValue().timestampMillis() < oldestKept) {
                it.remove();
            }
            if (others.isEmpty()) {
                others = null;
            }
        }
    }

    /**
     * Whether {@code key} ends in the text of 128 bits in the form Herald assigns (22 URL-safe base64
     * characters, the last one's four unused bits zero, so each 128-bit value has exactly one such
     * text) after a Latin-1 scope of at most {@value #MAX_SCOPE} characters.
     */
    static boolean compact(String key) {
        int scope = key.length() - BITS_TEXT;
        if (scope < 0 || scope > MAX_SCOPE) {
            return false;
        }
        for (int i = 0; i < scope; i++) {
            if (key.charAt(i) > 0xFF) {
                return false;
            }
        }
        for (int i = scope; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return false;
            }
        }
        return (DECODE[key.charAt(key.length() - 1)] & 0xF) == 0;
    }

    /** Bits 0..63 of a {@linkplain #compact compact} key's 128 (characters 0..9 and the top four bits of 10). */
    static long high(String key) {
        int at = key.length() - BITS_TEXT;
        long h = 0;
        for (int i = 0; i < 10; i++) {
            h = h << 6 | DECODE[key.charAt(at + i)];
        }
        return h << 4 | DECODE[key.charAt(at + 10)] >>> 2;
    }

    /** Bits 64..127 (the low two bits of character 10, characters 11..20, the top two bits of 21). */
    static long low(String key) {
        int at = key.length() - BITS_TEXT;
        long l = DECODE[key.charAt(at + 10)] & 3;
        for (int i = 11; i < 21; i++) {
            l = l << 6 | DECODE[key.charAt(at + i)];
        }
        return l << 2 | DECODE[key.charAt(at + 21)] >>> 4;
    }

    /** Where the oldest scope starts; 0 while empty (the window then holds no ring: see {@link #expire}). */
    private long scopesStart() {
        return size == 0 ? 0 : scopeAt[head];
    }

    private int hash(long h, long l, int scopeHash) {
        long x = mix(h ^ seed) ^ mix(l + seed) ^ scopeHash * 0x9E3779B97F4A7C15L;
        return (int) (x ^ x >>> 32);
    }

    /** Murmur3's 64-bit finaliser: every input bit moves every output bit. */
    private static long mix(long x) {
        x = (x ^ x >>> 33) * 0xFF51AFD7ED558CCDL;
        x = (x ^ x >>> 33) * 0xC4CEB9FE1A85EC53L;
        return x ^ x >>> 33;
    }

    private int scopeHashOf(int slot) {
        int hash = 0;
        for (int i = 0; i < scopeLength[slot]; i++) {
            hash = 31 * hash + scopes.get(scopeAt[slot] + i);
        }
        return hash;
    }

    private static int scopeHashOf(String key) {
        int hash = 0;
        for (int i = 0, n = key.length() - BITS_TEXT; i < n; i++) {
            hash = 31 * hash + key.charAt(i);
        }
        return hash;
    }

    private boolean sameScope(int slot, String key) {
        int n = key.length() - BITS_TEXT;
        if (scopeLength[slot] != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (scopes.get(scopeAt[slot] + i) != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The index cell holding the key, or -1. */
    private int find(String key, long h, long l) {
        if (index == null) {
            return -1;
        }
        int mask = index.length - 1;
        for (int p = hash(h, l, scopeHashOf(key)) & mask; index[p] != 0; p = (p + 1) & mask) {
            int slot = index[p] - 1;
            if (hi[slot] == h && lo[slot] == l && sameScope(slot, key)) {
                return p;
            }
        }
        return -1;
    }

    /** The index cell holding ring slot {@code slot}. */
    private int cellOf(int slot) {
        int mask = index.length - 1;
        int p = hash(hi[slot], lo[slot], scopeHashOf(slot)) & mask;
        while (index[p] != slot + 1) {
            p = (p + 1) & mask;
        }
        return p;
    }

    private void insert(int slot) {
        int mask = index.length - 1;
        int p = hash(hi[slot], lo[slot], scopeHashOf(slot)) & mask;
        while (index[p] != 0) {
            p = (p + 1) & mask;
        }
        index[p] = slot + 1;
    }

    /** Frees cell {@code p}, moving later cells of its probe run back so every key stays findable. */
    private void remove(int p) {
        int mask = index.length - 1;
        index[p] = 0;
        for (int q = (p + 1) & mask; index[q] != 0; q = (q + 1) & mask) {
            int slot = index[q] - 1;
            int home = hash(hi[slot], lo[slot], scopeHashOf(slot)) & mask;
            // the entry at q stays unless the hole at p lies cyclically between its home and q
            boolean stays = p <= q ? (p < home && home <= q) : (p < home || home <= q);
            if (!stays) {
                index[p] = index[q];
                index[q] = 0;
                p = q;
            }
        }
    }

    /** Rebuilds the ring at {@code capacity} slots with room for {@code moreScope} more scope bytes. */
    private void resize(int capacity, int moreScope) {
        long start = scopesStart();
        long used = size == 0 ? 0 : scopes.end() - start;
        int scopeCapacity = 64;
        while (scopeCapacity < used + moreScope || scopeCapacity < used * 2 && scopeCapacity < capacity * 4) {
            scopeCapacity *= 2;
        }
        long[] nh = new long[capacity];
        long[] nl = new long[capacity];
        long[] no = new long[capacity];
        long[] nt = new long[capacity];
        long[] na = new long[capacity];
        short[] nn = new short[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % hi.length;
            nh[i] = hi[from];
            nl[i] = lo[from];
            no[i] = offsets[from];
            nt[i] = times[from];
            na[i] = scopeAt[from] - start;
            nn[i] = scopeLength[from];
        }
        if (scopes == null) {
            scopes = new ByteRing(scopeCapacity);
        } else {
            scopes.rebase(start, scopeCapacity);
        }
        hi = nh;
        lo = nl;
        offsets = no;
        times = nt;
        scopeAt = na;
        scopeLength = nn;
        head = 0;
        index = new int[capacity * 2];
        for (int i = 0; i < size; i++) {
            insert(i);
        }
    }
}
