package io.herald.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A channel pattern from a token claim or an API query. It matches the whole name:
 * {@code *} is one or more characters other than {@code :}, {@code **} is one or more of any
 * characters, every other character is literal. A run of stars is read left to right, two at a
 * time as {@code **} and a last odd one as {@code *}. Immutable and thread-safe.
 *
 * <p>Matching takes time linear in the name for each token of the pattern, whatever the input:
 * patterns come from tokens and API callers, and a backtracking regex let a pattern such as
 * {@code *.*.*.*} keep an event loop busy for seconds on one 252-character name.
 */
public final class ChannelPattern {
    /** Characters of channel names, plus the wildcard. */
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_:.\\-#@=,*]+");
    /**
     * Compiled patterns shared by every token that names them: most deployments use a handful of
     * patterns, and one per connection would add up. Bounded so hostile tokens cannot grow it without
     * limit.
     */
    private static final ConcurrentHashMap<String, ChannelPattern> SHARED = new ConcurrentHashMap<>();
    private static final int SHARED_LIMIT = 10_000;

    /**
     * Pattern lists shared by every token that carries the same list (most tokens of an app do), so
     * a connection's claims hold a reference instead of a list of their own. Bounded like {@link #SHARED}.
     */
    private static final ConcurrentHashMap<List<ChannelPattern>, List<ChannelPattern>> SHARED_LISTS =
            new ConcurrentHashMap<>();

    /** Token for {@code *}: one or more characters other than {@code :}. */
    private static final int STAR = -1;
    /** Token for {@code **}: one or more of any characters. */
    private static final int DOUBLE_STAR = -2;

    private final String source;
    /**
     * The pattern as tokens: {@link #STAR}, {@link #DOUBLE_STAR}, or the index in {@link #literals}
     * of a literal character. Null for a pattern without wildcards, which is matched by equality.
     */
    private final int[] tokens;
    /** The distinct literal characters of the pattern, in order of first use. */
    private final char[] literals;
    /** For each ASCII character, its index in {@link #literals}, or -1 (pattern characters are ASCII). */
    private final byte[] literalIndex;

    private ChannelPattern(String source) {
        this.source = source;
        if (source.indexOf('*') < 0) {
            tokens = null;
            literals = null;
            literalIndex = null;
            return;
        }
        int[] t = new int[source.length()];
        StringBuilder distinct = new StringBuilder();
        byte[] index = new byte[128];
        Arrays.fill(index, (byte) -1);
        int n = 0;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '*' && i + 1 < source.length() && source.charAt(i + 1) == '*') {
                t[n++] = DOUBLE_STAR;
                i++;
            } else if (c == '*') {
                t[n++] = STAR;
            } else {
                if (index[c] < 0) {
                    index[c] = (byte) distinct.length();
                    distinct.append(c);
                }
                t[n++] = index[c];
            }
        }
        tokens = Arrays.copyOf(t, n);
        literals = distinct.toString().toCharArray();
        literalIndex = index;
    }

    /**
     * Compiles a pattern; throws {@link IllegalArgumentException} when it is empty, too long, or has a
     * character no channel name can contain (such a pattern could never match).
     */
    public static ChannelPattern of(String source) {
        ChannelPattern shared = source == null ? null : SHARED.get(source);
        if (shared != null) {
            return shared;
        }
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("channel pattern is empty");
        }
        if (source.length() > 1024) {
            throw new IllegalArgumentException("channel pattern is longer than 1024 characters");
        }
        if (!ALLOWED.matcher(source).matches()) {
            throw new IllegalArgumentException("channel pattern may only contain A-Z a-z 0-9 _ : . - # @ = , and *");
        }
        ChannelPattern p = new ChannelPattern(source);
        if (SHARED.size() < SHARED_LIMIT) {
            ChannelPattern raced = SHARED.putIfAbsent(source, p);
            return raced != null ? raced : p;
        }
        return p;
    }

    /** An immutable list of {@code patterns}, the same instance for every equal list while the cache has room. */
    public static List<ChannelPattern> sharedList(List<ChannelPattern> patterns) {
        List<ChannelPattern> list = List.copyOf(patterns);
        if (list.isEmpty()) {
            return list;
        }
        List<ChannelPattern> shared = SHARED_LISTS.get(list);
        if (shared != null) {
            return shared;
        }
        if (SHARED_LISTS.size() < SHARED_LIMIT) {
            List<ChannelPattern> raced = SHARED_LISTS.putIfAbsent(list, list);
            return raced != null ? raced : list;
        }
        return list;
    }

    public boolean matches(ChannelName channel) {
        return matches(channel.value());
    }

    /**
     * True when the pattern matches the whole of {@code channel}. Runs in O(name length + tokens ×
     * name length / 64) time: a set of name positions (one bit each) is carried through the tokens,
     * each token moving the whole set at once, so no input makes it try splits one by one.
     */
    public boolean matches(String channel) {
        if (tokens == null) {
            return source.equals(channel);
        }
        int n = channel.length();
        if (n < tokens.length) {
            return false; // every token takes at least one character
        }
        NamePositions sets = new NamePositions(n, literals.length);
        for (int j = 0; j < n; j++) {
            char c = channel.charAt(j);
            int k = c < 128 ? literalIndex[c] : -1;
            if (k >= 0) {
                sets.markLiteral(k, j);
            }
            if (c != ':') {
                sets.markColonFree(j);
            }
        }
        for (int token : tokens) {
            boolean any = switch (token) {
                case STAR -> sets.star();
                case DOUBLE_STAR -> sets.doubleStar();
                default -> sets.literal(token);
            };
            if (!any) {
                return false;
            }
        }
        return sets.reached(n);
    }

    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelPattern p && p.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
