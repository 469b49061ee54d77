package io.herald.protocol;

/**
 * The state of one {@link ChannelPattern} match: the set of positions 0..n of an n-character name
 * that the tokens read so far can reach, as a bit set, and the move each kind of token makes on the
 * whole set at once. Position i means "the tokens so far match the first i characters". Each move
 * costs one pass over n / 64 words, so a match is linear in the name per token, never a search
 * over splits. Used by one match on one thread; not thread-safe.
 */
final class NamePositions {
    private final int n;
    private final int words;
    /**
     * One array for every set, so a match allocates once: words {@code [0, words)} are the current
     * set (starting as {0}); {@code [words, 2 words)} has bit j + 1 when character j is not a colon;
     * then, per literal k of the pattern, bit j + 1 when character j is that literal.
     */
    private final long[] bits;

    NamePositions(int n, int literals) {
        this.n = n;
        this.words = (n >>> 6) + 1;
        this.bits = new long[words * (2 + literals)];
        bits[0] = 1;
    }

    /** Records that character {@code j} of the name is literal {@code k} of the pattern. */
    void markLiteral(int k, int j) {
        set((2 + k) * words, j + 1);
    }

    /** Records that character {@code j} of the name is not a colon. */
    void markColonFree(int j) {
        set(words, j + 1);
    }

    private void set(int base, int position) {
        bits[base + (position >>> 6)] |= 1L << position;
    }

    /** Moves over literal {@code k}: i becomes i + 1 where character i is that literal. False when nothing is left. */
    boolean literal(int k) {
        int base = (2 + k) * words;
        long any = 0;
        // high words first, so each reads its lower neighbour before that one changes
        for (int w = words - 1; w >= 0; w--) {
            long shifted = bits[w] << 1 | (w > 0 ? bits[w - 1] >>> 63 : 0);
            bits[w] = shifted & bits[base + w];
            any |= bits[w];
        }
        return any != 0;
    }

    /**
     * Moves over {@code *}: from i to every i' > i with no colon among characters i..i'-1. The first
     * step (shift, keep colon-free) gives seeds; adding the seeds to the colon-free mask then carries
     * each seed through the rest of its colon-free run, so the flipped bits are exactly the positions
     * reached. False when nothing is left.
     */
    boolean star() {
        long shiftCarry = 0;
        long addCarry = 0;
        long any = 0;
        for (int w = 0; w < words; w++) {
            long current = bits[w];
            long free = bits[words + w];
            long seeds = (current << 1 | shiftCarry) & free;
            shiftCarry = current >>> 63;
            long partial = free + seeds;
            long sum = partial + addCarry;
            addCarry = Long.compareUnsigned(partial, free) < 0 || Long.compareUnsigned(sum, partial) < 0 ? 1 : 0;
            bits[w] = ((sum ^ free) & free) | seeds;
            any |= bits[w];
        }
        return any != 0;
    }

    /** Moves over {@code **}: to every position above the lowest one reached. False when nothing is left. */
    boolean doubleStar() {
        int lowest = -1;
        for (int w = 0; w < words && lowest < 0; w++) {
            if (bits[w] != 0) {
                lowest = (w << 6) + Long.numberOfTrailingZeros(bits[w]);
            }
        }
        if (lowest < 0 || lowest >= n) {
            return false;
        }
        int from = lowest + 1;
        for (int w = 0; w < words; w++) {
            int first = w << 6;
            long above = from <= first ? -1L : from >= first + 64 ? 0 : -1L << (from - first);
            long upToN = n >= first + 63 ? -1L : n < first ? 0 : -1L >>> (63 - (n - first));
            bits[w] = above & upToN;
        }
        return true;
    }

    /** True when position {@code i} is in the current set. */
    boolean reached(int i) {
        return (bits[i >>> 6] >>> i & 1) != 0;
    }
}
