package io.herald.pusher;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pusher's HTTP API request signing, checked as Pusher checks it: the app of {@code /apps/{id}}, its
 * {@code auth_key}, {@code auth_version=1.0}, an {@code auth_timestamp} within
 * {@link #TIMESTAMP_GRACE_SECONDS} of this node's clock, and {@code auth_signature}, the lowercase hex
 * HMAC-SHA256 under the app's secret of {@code METHOD\nPATH\nQUERY}, where QUERY is every query
 * parameter but {@code auth_signature}, keys lowercased, sorted by key, {@code key=value} with the
 * values unescaped, joined by {@code &}. The signature covers {@code body_md5}, so everything but the
 * body is checked from the request head ({@link #check}); {@link #checkBody} then compares the body
 * with {@code body_md5}. The refusals carry the texts Pusher's signature library answers with
 * (status 401; an unknown key is a 400, an unknown app a 404). Stateless and thread-safe.
 */
public final class PusherRequestAuth {
    /** Pusher's window: a request signed further from the server's clock is refused. */
    public static final long TIMESTAMP_GRACE_SECONDS = 600;
    /** The one signing version. */
    public static final String VERSION = "1.0";
    static final String APPS_PREFIX = "/apps/";

    private PusherRequestAuth() {
    }

    /** The app id segment of a raw {@code /apps/{id}/...} path, decoded, or null when the path has none. */
    public static String appId(String rawPath) {
        if (!rawPath.startsWith(APPS_PREFIX)) {
            return null;
        }
        int end = rawPath.indexOf('/', APPS_PREFIX.length());
        String raw = rawPath.substring(APPS_PREFIX.length(), end < 0 ? rawPath.length() : end);
        return raw.isEmpty() ? null : decode(raw);
    }

    /**
     * Checks everything but the body; returns the request's app.
     *
     * @throws PusherApiException with Pusher's status and text for the first check that fails
     */
    public static PusherApp check(PusherApps apps, String method, String rawPath, Map<String, List<String>> query,
                                  long nowSeconds) throws PusherApiException {
        String id = appId(rawPath);
        PusherApp app = apps.byId(id).orElse(null);
        if (app == null) {
            throw new PusherApiException(PusherApiError.NOT_FOUND, "Unknown app_id");
        }
        String key = first(query, "auth_key");
        if (key == null) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Missing parameter: auth_key");
        }
        if (!key.equals(app.key())) {
            throw PusherApiException.badRequest("Unknown auth_key");
        }
        String version = first(query, "auth_version");
        if (version == null) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Version required");
        }
        if (!version.equals(VERSION)) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Version not supported");
        }
        long timestamp = seconds(first(query, "auth_timestamp"));
        if (Math.abs(timestamp - nowSeconds) >= TIMESTAMP_GRACE_SECONDS) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Timestamp expired: Given timestamp ("
                    + iso(timestamp) + ") not within " + TIMESTAMP_GRACE_SECONDS + "s of server time (" + iso(nowSeconds) + ")");
        }
        String given = first(query, "auth_signature");
        String path = decode(rawPath);
        String signed = stringToSign(method, path, query);
        if (given != null && PusherSignatures.equalHex(PusherSignatures.hex(app.secret(), signed), given)) {
            return app;
        }
        // a client that signed the path as it sent it, percent-encoding included
        if (given != null && !path.equals(rawPath)
                && PusherSignatures.equalHex(PusherSignatures.hex(app.secret(), stringToSign(method, rawPath, query)), given)) {
            return app;
        }
        throw new PusherApiException(PusherApiError.AUTHENTICATION, "Invalid signature: you should have sent HmacSHA256Hex("
                + inspect(signed) + ", your_secret_key), but you sent " + (given == null ? "nil" : inspect(given)));
    }

    /**
     * Checks a body against the signed {@code body_md5}: a request with a body must carry its MD5.
     *
     * @throws PusherApiException 401 when it does not match or is missing
     */
    public static void checkBody(Map<String, List<String>> query, byte[] body) throws PusherApiException {
        String given = first(query, "body_md5");
        if (body.length == 0 && given == null) {
            return;
        }
        if (given == null) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Missing parameter: body_md5");
        }
        if (!PusherSignatures.equalHex(md5(body), given)) {
            throw new PusherApiException(PusherApiError.AUTHENTICATION, "Invalid body_md5: the body's MD5 is "
                    + md5(body) + ", you sent " + inspect(given));
        }
    }

    /** {@code METHOD\nPATH\nQUERY} as described in the class comment. */
    static String stringToSign(String method, String path, Map<String, List<String>> query) {
        List<String[]> pairs = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.equals("auth_signature")) {
                continue;
            }
            if (key.endsWith("[]")) {
                for (String v : e.getValue()) {
                    pairs.add(new String[] {key, v});
                }
            } else if (!e.getValue().isEmpty()) {
                pairs.add(new String[] {key, e.getValue().getFirst()});
            }
        }
        // stable: the values of an array parameter keep their order
        pairs.sort((a, b) -> a[0].compareTo(b[0]));
        StringBuilder s = new StringBuilder(method.toUpperCase(Locale.ROOT)).append('\n').append(path).append('\n');
        for (int i = 0; i < pairs.size(); i++) {
            if (i > 0) {
                s.append('&');
            }
            s.append(pairs.get(i)[0]).append('=').append(pairs.get(i)[1]);
        }
        return s.toString();
    }

    static String md5(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /** A timestamp as Pusher reads one: digits, else 0 (which is then far outside the window). */
    private static long seconds(String value) {
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseLong(value);
    }

    private static String iso(long seconds) {
        return Instant.ofEpochSecond(Math.min(Math.max(seconds, 0), 253_402_300_799L)).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A string as Ruby's {@code inspect} shows it, which is how Pusher quotes texts in its errors. */
    static String inspect(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }
}
