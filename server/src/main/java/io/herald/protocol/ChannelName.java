package io.herald.protocol;

import java.util.Arrays;
import java.util.List;

/**
 * A validated channel name: 1–255 characters of {@code [A-Za-z0-9_:.\-#@=,]}.
 * The namespace is the part before the first {@code :} (empty for the default namespace).
 * After the first {@code #} comes a comma-separated list of user ids that may use the channel.
 * Immutable and thread-safe.
 */
public record ChannelName(String value) implements Comparable<ChannelName> {
    public static final int MAX_LENGTH = 255;

    public ChannelName {
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Returns the parsed name, or throws {@link IllegalArgumentException} with a message a person understands. */
    public static ChannelName of(String value) {
        return new ChannelName(value);
    }

    /** Returns null when {@code value} is a valid channel name, else why it is not. */
    public static String problem(String value) {
        if (value == null || value.isEmpty()) {
            return "channel name is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "channel name is longer than " + MAX_LENGTH + " characters";
        }
        if (!NameChars.CHANNEL.matches(value, MAX_LENGTH)) {
            return "channel name may only contain A-Z a-z 0-9 and _ : . - # @ = ,";
        }
        int hash = value.indexOf('#');
        if (hash >= 0) {
            String users = value.substring(hash + 1);
            if (users.isEmpty() || Arrays.stream(users.split(",", -1)).anyMatch(String::isEmpty)) {
                return "user-limited channel has an empty user id after '#'";
            }
        }
        return null;
    }

    /** The namespace: the part before the first {@code :}, or "" for the default namespace. */
    public String namespace() {
        int colon = value.indexOf(':');
        return colon < 0 ? "" : value.substring(0, colon);
    }

    /** True when the name has a {@code #} user list. */
    public boolean isUserLimited() {
        return value.indexOf('#') >= 0;
    }

    /** The user ids after the first {@code #}; empty when the channel is not user-limited. */
    public List<String> allowedUsers() {
        int hash = value.indexOf('#');
        return hash < 0 ? List.of() : List.of(value.substring(hash + 1).split(","));
    }

    /** Compared on every delivery (subscription lookup), so kept to the string comparison alone. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof ChannelName other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public int compareTo(ChannelName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
