package io.herald.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** Finds the known key closest to a mistyped one, so "unknown key" errors can say what was meant. */
final class Suggestion {
    /** Two edits catch the usual typos (a dropped, doubled or swapped letter) without wild guesses. */
    private static final int MAX_DISTANCE = 2;

    private Suggestion() {
    }

    /** The known key within two edits of {@code typed}, closest first, if any. */
    static Optional<String> of(String typed, Collection<String> known) {
        return known.stream()
                .filter(k -> distance(typed, k) <= MAX_DISTANCE)
                .min(Comparator.comparingInt((String k) -> distance(typed, k)).thenComparing(k -> k));
    }

    /** Levenshtein distance with a rolling row. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }
}
