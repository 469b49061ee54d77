package io.herald.protocol;

/**
 * The alphabets of the protocol's names (ASCII letters and digits plus a few marks), checked by a
 * table lookup per character: each publication checks a channel and an event name, and a regex
 * matcher per check allocated and cost more than the rest of its validation. Immutable.
 */
final class NameChars {
    /** Event names and rpc methods: {@code [A-Za-z0-9_.:-]}. */
    static final NameChars EVENT = new NameChars("_.:-");
    /** Channel names: {@code [A-Za-z0-9_:.\-#@=,]}. */
    static final NameChars CHANNEL = new NameChars("_:.-#@=,");

    private final boolean[] allowed = new boolean[128];

    private NameChars(String marks) {
        for (char c = 'A'; c <= 'Z'; c++) {
            allowed[c] = true;
            allowed[Character.toLowerCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            allowed[c] = true;
        }
        for (int i = 0; i < marks.length(); i++) {
            allowed[marks.charAt(i)] = true;
        }
    }

    /** True when {@code s} is 1 to {@code maxLength} characters, each of this alphabet. */
    boolean matches(String s, int maxLength) {
        int n = s.length();
        if (n == 0 || n > maxLength) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !allowed[c]) {
                return false;
            }
        }
        return true;
    }
}
