package io.herald.pusher;

/**
 * The kinds of Pusher channel, told apart by the prefix of the name. A {@code cache-} part after the
 * kind's prefix ({@code cache-x}, {@code private-cache-x}, {@code private-encrypted-cache-x},
 * {@code presence-cache-x}) keeps the kind and adds the last-event replay; see {@link PusherChannel#cache()}.
 */
public enum PusherChannelType {
    /** Anyone connected to the app may subscribe. */
    PUBLIC("", false),
    /** Subscribing needs the backend's signature over {@code socket_id:channel}. */
    PRIVATE("private-", true),
    /**
     * End-to-end encrypted by the clients: Herald checks the subscription like a private one and
     * passes the ciphertext through, never seeing the key or the plaintext.
     */
    PRIVATE_ENCRYPTED("private-encrypted-", true),
    /** Private plus the members list: the signature covers {@code channel_data} ({@code user_id}, {@code user_info}). */
    PRESENCE("presence-", true),
    /** {@code #server-to-user-{id}}: only a connection signed in as that user may subscribe. */
    USER("#server-to-user-", false);

    /** The cache marker after a kind's prefix. */
    static final String CACHE = "cache-";

    private final String prefix;
    private final boolean signed;

    PusherChannelType(String prefix, boolean signed) {
        this.prefix = prefix;
        this.signed = signed;
    }

    public String prefix() {
        return prefix;
    }

    /** Whether a subscription needs an {@code auth} signature from the app's backend. */
    public boolean signed() {
        return signed;
    }

    /** Client events ({@code client-*}) may be sent on private, encrypted and presence channels only. */
    public boolean allowsClientEvents() {
        return this == PRIVATE || this == PRIVATE_ENCRYPTED || this == PRESENCE;
    }

    /** The kind of a Pusher channel name (checked against the longer prefixes first). */
    public static PusherChannelType of(String name) {
        if (name.startsWith(USER.prefix)) {
            return USER;
        }
        if (name.startsWith(PRIVATE_ENCRYPTED.prefix)) {
            return PRIVATE_ENCRYPTED;
        }
        if (name.startsWith(PRIVATE.prefix)) {
            return PRIVATE;
        }
        if (name.startsWith(PRESENCE.prefix)) {
            return PRESENCE;
        }
        return PUBLIC;
    }
}
