package io.herald.pusher;

import io.herald.protocol.HmacSha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The HMAC-SHA256 signatures of Pusher Channels, keyed by an app's secret and written as lowercase
 * hex: channel authorization ({@code auth: "key:sig"} over {@code socket_id:channel} or
 * {@code socket_id:channel:channel_data}), user authentication ({@code socket_id::user::user_data}),
 * and any other string (HTTP API request signing, webhook bodies). Comparisons are constant-time.
 * Stateless and thread-safe.
 */
public final class PusherSignatures {
    private static final HexFormat HEX = HexFormat.of();

    private PusherSignatures() {
    }

    /** The lowercase hex HMAC-SHA256 of {@code text} (UTF-8) under {@code secret}. */
    public static String hex(String secret, String text) {
        return HEX.formatHex(HmacSha256.of(secret, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The lowercase hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String hex(String secret, byte[] body) {
        return HEX.formatHex(HmacSha256.of(secret, body));
    }

    /** What a channel authorization signs: {@code socket_id:channel}, plus {@code :channel_data} for presence. */
    public static String channelAuthSubject(String socketId, String channel, String channelDataOrNull) {
        return channelDataOrNull == null ? socketId + ":" + channel : socketId + ":" + channel + ":" + channelDataOrNull;
    }

    /** What a user authentication ({@code pusher:signin}) signs: {@code socket_id::user::user_data}. */
    public static String userAuthSubject(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }

    /** The {@code auth} value a backend returns for a channel subscription: {@code key:hexsig}. */
    public static String channelAuth(String key, String secret, String socketId, String channel, String channelDataOrNull) {
        return key + ":" + hex(secret, channelAuthSubject(socketId, channel, channelDataOrNull));
    }

    /** The {@code auth} value a backend returns for a signin: {@code key:hexsig}. */
    public static String userAuth(String key, String secret, String socketId, String userData) {
        return key + ":" + hex(secret, userAuthSubject(socketId, userData));
    }

    /**
     * Whether {@code auth} is {@code key:sig} with this app's key and the signature of {@code subject}.
     * The key is public; the signature is compared in constant time, so its timing says nothing about
     * how much of a guess was right.
     */
    public static boolean verify(String key, String secret, String subject, String auth) {
        if (auth == null) {
            return false;
        }
        int colon = auth.indexOf(':');
        if (colon < 0 || !auth.substring(0, colon).equals(key)) {
            return false;
        }
        return equalHex(hex(secret, subject), auth.substring(colon + 1));
    }

    /** Constant-time comparison of an expected lowercase hex signature with a given one (any case). */
    public static boolean equalHex(String expected, String given) {
        byte[] a = expected.getBytes(StandardCharsets.US_ASCII);
        byte[] b = given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(a, b);
    }

}
