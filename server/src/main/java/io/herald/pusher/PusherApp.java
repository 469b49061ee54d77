package io.herald.pusher;

import io.herald.config.PusherAppConfig;
import io.herald.protocol.ChannelName;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Pusher app and its channel space: the mapping between the channel names its clients and server
 * SDKs use and the hub channels they are. Immutable and thread-safe.
 *
 * <p>The mapping, both ways, and why:
 * <ul>
 *   <li>A Pusher name is 1–164 characters of {@code [A-Za-z0-9_\-=@,.;]} (Pusher's rule; the server
 *       SDKs check it too), or a user channel {@code #server-to-user-{id}}.</li>
 *   <li>Herald has no {@code ;} and Pusher has no {@code :}, so {@code ;} stands for Herald's
 *       namespace separator: Pusher {@code match;42} is hub {@code match:42}. Every other character is
 *       the same on both sides, so a native app's channels without {@code ;} have the same names.</li>
 *   <li>A non-native app's hub channels are prefixed {@code pusher-{id}:}: all of them are in the hub
 *       namespace {@code pusher-{id}} (configure history for {@code cache-} channels there), and two
 *       apps' channels never meet. In the native app, a name whose hub namespace is another app's is
 *       refused.</li>
 *   <li>The user channel {@code #server-to-user-{id}} is hub {@code server-to-user#{id}} (prefixed
 *       likewise): Herald's user-limited rule, {@code #} then the user id, so a native {@code /ws}
 *       client of that user reaches the same channel and no other user's token can. Its user id must
 *       be 1–148 characters of {@code [A-Za-z0-9_.\-@=]} (no {@code ,}, {@code #} or {@code :}, which
 *       mean a list, a user limit or a namespace to Herald).</li>
 *   <li>Every other {@code #} and any character outside those sets has no counterpart: such a Pusher
 *       name is refused with a {@link PusherChannelException}, and such a hub channel has no Pusher
 *       name ({@link #pusherName} returns null), so its publications reach {@code /ws} clients only.</li>
 * </ul>
 */
public final class PusherApp {
    /** Pusher's limit, prefixes included. */
    public static final int MAX_NAME_LENGTH = 164;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-=@,.;]{1,164}");
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.\\-@=]+");
    /** The hub's spelling of a user channel, before the user id. */
    static final String HUB_USER_CHANNEL = "server-to-user#";

    private final PusherAppConfig config;
    private final String hubPrefix;
    private final Set<String> foreignNamespaces;

    /**
     * @param config            the app
     * @param foreignNamespaces the hub namespaces of the other, non-native apps (refused in a native app)
     */
    PusherApp(PusherAppConfig config, Set<String> foreignNamespaces) {
        this.config = config;
        this.hubPrefix = config.isNative() ? "" : config.namespace() + ":";
        this.foreignNamespaces = config.isNative() ? Set.copyOf(foreignNamespaces) : Set.of();
    }

    public PusherAppConfig config() {
        return config;
    }

    public String id() {
        return config.id();
    }

    public String key() {
        return config.key();
    }

    public String secret() {
        return config.secret();
    }

    public boolean isNative() {
        return config.isNative();
    }

    /**
     * The channel a Pusher client or server SDK names.
     *
     * @throws PusherChannelException when the name is not a valid Pusher channel name or has no hub channel
     */
    public PusherChannel channel(String name) {
        if (name == null || name.isEmpty()) {
            throw new PusherChannelException("channel name is empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new PusherChannelException("channel name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        PusherChannelType type = PusherChannelType.of(name);
        if (type == PusherChannelType.USER) {
            return userChannel(name.substring(type.prefix().length()));
        }
        if (!NAME.matcher(name).matches()) {
            throw new PusherChannelException("channel name may only contain A-Z a-z 0-9 and _ - = @ , . ;");
        }
        String hub = hubPrefix + name.replace(';', ':');
        if (!foreignNamespaces.isEmpty()) {
            int colon = hub.indexOf(':');
            if (colon > 0 && foreignNamespaces.contains(hub.substring(0, colon))) {
                throw new PusherChannelException("channel " + name + " is in the channel space of another app");
            }
        }
        boolean cache = name.startsWith(PusherChannelType.CACHE, type.prefix().length());
        return new PusherChannel(name, type, cache, hubName(hub), null);
    }

    /**
     * The user channel of {@code userId} ({@code #server-to-user-{id}}).
     *
     * @throws PusherChannelException when the user id cannot be part of a hub channel name
     */
    public PusherChannel userChannel(String userId) {
        String name = PusherChannelType.USER.prefix() + userId;
        if (userId.isEmpty() || name.length() > MAX_NAME_LENGTH || !USER_ID.matcher(userId).matches()) {
            throw new PusherChannelException("user channel needs a user id of 1-"
                    + (MAX_NAME_LENGTH - PusherChannelType.USER.prefix().length())
                    + " characters of A-Z a-z 0-9 and _ . - @ =");
        }
        return new PusherChannel(name, PusherChannelType.USER, false, hubName(hubPrefix + HUB_USER_CHANNEL + userId),
                userId);
    }

    /**
     * The Pusher name of a hub channel of this app, or null when it has none: the channel is another
     * app's, or has a {@code #} user list other than one user's {@code server-to-user#{id}}.
     */
    public String pusherName(ChannelName hub) {
        String value = hub.value();
        if (!value.startsWith(hubPrefix)) {
            return null;
        }
        String rest = value.substring(hubPrefix.length());
        if (rest.startsWith(HUB_USER_CHANNEL)) {
            String user = rest.substring(HUB_USER_CHANNEL.length());
            return USER_ID.matcher(user).matches() ? PusherChannelType.USER.prefix() + user : null;
        }
        String name = rest.replace(':', ';');
        if (!NAME.matcher(name).matches()) {
            return null;
        }
        try {
            return channel(name).hub().equals(hub) ? name : null;
        } catch (PusherChannelException e) {
            return null;
        }
    }

    private static ChannelName hubName(String value) {
        String problem = ChannelName.problem(value);
        if (problem != null) {
            throw new PusherChannelException("channel has no hub channel: " + problem);
        }
        return new ChannelName(value);
    }

    @Override
    public String toString() {
        return "PusherApp[" + config.id() + (config.isNative() ? ", native" : "") + "]";
    }
}
