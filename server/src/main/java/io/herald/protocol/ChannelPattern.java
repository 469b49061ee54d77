package io.herald.protocol;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A channel pattern from a token claim or an API query. It matches the whole name:
 * {@code *} is one or more characters other than {@code :}, {@code **} is one or more of any
 * characters, every other character is literal. Immutable and thread-safe.
 */
public final class ChannelPattern {
    /** Characters of channel names, plus the wildcard. */
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_:.\\-#@=,*]+");
    /**
     * Compiled patterns shared by every token that names them: most deployments use a handful of
     * patterns, and a compiled regex costs about a kilobyte, which per connection would dominate its
     * memory. Bounded so hostile tokens cannot grow it without limit.
     */
    private static final ConcurrentHashMap<String, ChannelPattern> SHARED = new ConcurrentHashMap<>();
    private static final int SHARED_LIMIT = 10_000;

    /**
     * Pattern lists shared by every token that carries the same list (most tokens of an app do), so
     * a connection's claims hold a reference instead of a list of their own. Bounded like {@link #SHARED}.
     */
    private static final ConcurrentHashMap<List<ChannelPattern>, List<ChannelPattern>> SHARED_LISTS =
            new ConcurrentHashMap<>();

    private final String source;
    /** Null for a pattern without wildcards, which is matched by string equality. */
    private final Pattern regex;

    private ChannelPattern(String source, Pattern regex) {
        this.source = source;
        this.regex = regex;
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
        ChannelPattern p = new ChannelPattern(source, source.indexOf('*') < 0 ? null : compile(source));
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

    private static Pattern compile(String source) {
        StringBuilder re = new StringBuilder(source.length() + 16);
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '*') {
                if (i + 1 < source.length() && source.charAt(i + 1) == '*') {
                    re.append(".+");
                    i += 2;
                } else {
                    re.append("[^:]+");
                    i++;
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
                i++;
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public boolean matches(ChannelName channel) {
        return matches(channel.value());
    }

    public boolean matches(String channel) {
        return regex == null ? source.equals(channel) : regex.matcher(channel).matches();
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
