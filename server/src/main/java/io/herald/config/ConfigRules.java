package io.herald.config;

import java.net.URI;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Value checks shared by the layers. Each takes a {@code label} (a YAML key path, an environment
 * variable or a flag) so the error names where the bad value came from.
 */
final class ConfigRules {
    /** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
    static final int MIN_HMAC_BYTES = 32;
    static final int MAX_HISTORY_SIZE = 100_000;
    static final long MIN_FRAME_SIZE = 1024;
    static final long MAX_FRAME_SIZE = 64L * 1024 * 1024;
    static final long MIN_QUEUE_BYTES = 64L * 1024;
    static final long MAX_QUEUE_BYTES = 1024L * 1024 * 1024;
    /** Upper bound of the per-connection counts and rates (subscriptions, commands per second, burst). */
    static final int MAX_CLIENT_COUNT = 1_000_000;
    private static final String PEM_BEGIN = "-----BEGIN";
    static final String MEMORY_ENGINE = "memory";
    static final String REDIS_ENGINE = "redis";
    private static final Pattern REDIS_PREFIX = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9!#$%&'*+.^_`|~-]{1,64}");
    /** Headers {@code java.net.http} sets itself and refuses from callers, plus the body's own. */
    private static final java.util.Set<String> RESERVED_HEADERS =
            java.util.Set.of("connection", "content-length", "content-type", "expect", "host", "upgrade",
                    "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final Pattern ORIGIN =
            Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*://(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.\\-]+)(:(\\d{1,5}))?");

    private ConfigRules() {
    }

    static int port(long value, String label) {
        if (value < 0 || value > 65_535) {
            throw new ConfigException(label + ": must be 0..65535 (was " + value + ")");
        }
        return (int) value;
    }

    static String host(String value, String label) {
        if (value.isBlank()) {
            throw new ConfigException(label + ": must not be empty");
        }
        return value.trim();
    }

    static String apiKey(String value, String label) {
        if (value.isBlank()) {
            throw new ConfigException(label + ": must not be empty");
        }
        return value;
    }

    static String hmacSecret(String value, String label) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_HMAC_BYTES) {
            throw new ConfigException(label + ": must be at least " + MIN_HMAC_BYTES
                    + " bytes (HS256 needs a 256-bit key), was " + bytes);
        }
        return value;
    }

    static String jwksUrl(String value, String label) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme();
            if (uri.getHost() != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
                return value.trim();
            }
        } catch (URISyntaxException e) {
            // falls through to the error below, which says what a valid value looks like
        }
        throw new ConfigException(label + ": invalid URL '" + value + "' (use e.g. https://auth.example.com/.well-known/jwks.json)");
    }

    /** A proxy URL: {@code http://} or {@code https://} with a host, no user info, no fragment. */
    static URI proxyUrl(String value, String label) {
        String v = value.trim();
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme();
            boolean web = "https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme);
            if (web && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawFragment() == null
                    && uri.getPort() <= 65_535) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // falls through to the error below, which says what a valid value looks like
        }
        throw new ConfigException(label + ": invalid proxy URL '" + value
                + "' (use http:// or https:// with a host, e.g. http://app:3000/herald/connect)");
    }

    /**
     * An HTTP header name (an RFC 9110 token), returned lower-case. The names the HTTP client sets
     * itself (and refuses from callers) are refused here, so the error comes at start, not per call.
     */
    static String headerName(String value, String label) {
        String name = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!HEADER_NAME.matcher(name).matches()) {
            throw new ConfigException(label + ": invalid header name '" + value + "' (letters, digits and !#$%&'*+-.^_`|~)");
        }
        if (RESERVED_HEADERS.contains(name)) {
            throw new ConfigException(label + ": header '" + name + "' is set by the HTTP client itself and cannot be"
                    + " forwarded or added (reserved: " + String.join(", ", new java.util.TreeSet<>(RESERVED_HEADERS)) + ")");
        }
        return name;
    }

    /** A header value: visible ASCII, spaces and tabs (no line breaks, which would split the request). */
    static String headerValue(String value, String label) {
        if (value.chars().anyMatch(c -> (c < ' ' && c != '\t') || c > '~')) {
            throw new ConfigException(label + ": header values must be printable ASCII on one line");
        }
        return value.strip();
    }

    /** Pending calls per proxy kind: 1..{@link #MAX_CLIENT_COUNT}. */
    static int proxyPending(long value, String label) {
        return clientCount(value, label);
    }

    /** The largest proxy answer read: 1 KiB..16 MiB. */
    static int proxyResponseSize(long bytes, String label) {
        if (bytes < 1024 || bytes > 16L * 1024 * 1024) {
            throw new ConfigException(label + ": must be 1KiB..16MiB (was " + bytes + " bytes)");
        }
        return (int) bytes;
    }

    static String engine(String value, String label) {
        if (MEMORY_ENGINE.equals(value) || REDIS_ENGINE.equals(value)) {
            return value;
        }
        throw new ConfigException(label + ": unknown engine '" + value + "' (use memory or redis)");
    }

    /**
     * One Redis URL: {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://} (TLS).
     * Lettuce would accept more (sockets, sentinels); Herald documents and tests only these.
     */
    static String redisUrl(String value, String label) {
        String v = value.trim();
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme();
            boolean known = "redis".equalsIgnoreCase(scheme) || "rediss".equalsIgnoreCase(scheme);
            if (known && uri.getHost() != null && (uri.getPort() == -1 || uri.getPort() <= 65_535)) {
                String path = uri.getPath();
                if (path == null || path.isEmpty() || path.equals("/") || path.matches("/\\d{1,2}")) {
                    return v;
                }
            }
        } catch (URISyntaxException e) {
            // falls through to the error below, which says what a valid value looks like
        }
        throw new ConfigException(label + ": invalid Redis URL '" + value
                + "' (use redis://host:6379, redis://:password@host:6379/0 or rediss://host:6380)");
    }

    static String redisPrefix(String value, String label) {
        if (!REDIS_PREFIX.matcher(value).matches()) {
            throw new ConfigException(label + ": invalid prefix '" + value + "' (1-64 characters of A-Z a-z 0-9 _ . -)");
        }
        return value;
    }

    static String origin(String value, String label) {
        if ("*".equals(value)) {
            return value;
        }
        var m = ORIGIN.matcher(value);
        boolean valid = m.matches() && (m.group(3) == null || Integer.parseInt(m.group(3)) <= 65_535);
        if (!valid) {
            throw new ConfigException(label + ": invalid origin '" + value
                    + "' (use * or scheme://host[:port], e.g. https://app.example.com, without a path)");
        }
        return value;
    }

    static void namespaceName(String name, String label) {
        // "" is the default namespace (channels without a ':'), which may be configured like any other
        if (!name.isEmpty() && !NAMESPACE.matcher(name).matches()) {
            throw new ConfigException(label + ": invalid namespace name '" + name
                    + "' (1-64 characters of A-Z a-z 0-9 _ . -)");
        }
    }

    /** Cross-field checks of one namespace's merged settings; {@code path} is e.g. {@code namespaces.match}. */
    static void namespace(NamespaceConfig ns, String path) {
        if (ns.historySize() > 0 && ns.historyTtl().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(path + ".history_ttl: must be at least 1s when history_size > 0");
        }
        if (ns.joinLeave() && !ns.presence()) {
            throw new ConfigException(path + ".join_leave: requires presence: true");
        }
    }

    static Duration positive(Duration d, String label) {
        if (d.isZero()) {
            throw new ConfigException(label + ": must be greater than 0");
        }
        return d;
    }

    /** Presence entries are refreshed at a third of their TTL; shorter than a second would be all refresh. */
    static Duration atLeastOneSecond(Duration d, String label) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException(label + ": must be at least 1s");
        }
        return d;
    }

    static int frameSize(long bytes, String label) {
        if (bytes < MIN_FRAME_SIZE || bytes > MAX_FRAME_SIZE) {
            throw new ConfigException(label + ": must be 1KiB..64MiB (was " + bytes + " bytes)");
        }
        return (int) bytes;
    }

    static long queueBytes(long bytes, String label) {
        if (bytes < MIN_QUEUE_BYTES || bytes > MAX_QUEUE_BYTES) {
            // 1GiB is spelt 1024MiB because sizes have no GiB unit
            throw new ConfigException(label + ": must be 64KiB..1024MiB (was " + bytes + " bytes)");
        }
        return bytes;
    }

    /** A count or rate of one connection: 1..{@link #MAX_CLIENT_COUNT}. */
    static int clientCount(long value, String label) {
        if (value < 1 || value > MAX_CLIENT_COUNT) {
            throw new ConfigException(label + ": must be 1.." + MAX_CLIENT_COUNT + " (was " + value + ")");
        }
        return (int) value;
    }

    /** The least body rate: 1 byte per second (a body that may stall forever is no deadline) to 1 MiB/s. */
    static long bodyRate(long bytesPerSecond, String label) {
        if (bytesPerSecond < 1 || bytesPerSecond > 1024 * 1024) {
            throw new ConfigException(label + ": must be 1..1MiB per second (was " + bytesPerSecond + " bytes)");
        }
        return bytesPerSecond;
    }

    /** Room for at least one full-size body, at most 1 GiB (spelt 1024MiB: sizes have no GiB unit). */
    static long bufferedBodies(long bytes, String label) {
        if (bytes < 1024 * 1024 || bytes > 1024L * 1024 * 1024) {
            throw new ConfigException(label + ": must be 1MiB..1024MiB (was " + bytes + " bytes)");
        }
        return bytes;
    }

    /** A shared secret sent by clients (the metrics bearer token): at least 16 characters, no spaces. */
    static String secretToken(String value, String label) {
        if (value.length() < 16 || value.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException(label + ": must be at least 16 printable characters without spaces");
        }
        return value;
    }

    static String adminPassword(String value, String label) {
        if (value.length() < AdminConfig.MIN_PASSWORD_CHARS || value.isBlank()) {
            throw new ConfigException(label + ": must be at least " + AdminConfig.MIN_PASSWORD_CHARS + " characters");
        }
        return value;
    }

    static String adminPasswordHash(String value, String label) {
        try {
            return io.herald.auth.PasswordHash.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(label + ": " + e.getMessage());
        }
    }

    /** A node-wide limit: any non-negative int, 0 meaning unlimited. */
    static int limit(long value, String label) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new ConfigException(label + ": must be 0.." + Integer.MAX_VALUE + ", 0 = unlimited (was " + value + ")");
        }
        return (int) value;
    }

    /**
     * Checks a TLS certificate or key file: {@code path} (relative paths start at {@code base}) must
     * be a readable file containing a PEM block. Returns its absolute, normalized path.
     */
    static String pemFile(String path, Path base, String label) {
        if (path.isBlank()) {
            throw new ConfigException(label + ": must not be empty");
        }
        Path file;
        try {
            file = base.resolve(path.strip()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(label + ": invalid path '" + path + "'", e);
        }
        if (Files.isDirectory(file)) {
            throw new ConfigException(label + ": " + file + " is a directory, not a PEM file");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(label + ": file not found: " + file);
        }
        String text;
        try {
            // Latin-1 never fails to decode, so a binary (DER) file gets the PEM error below
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(label + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!text.contains(PEM_BEGIN)) {
            throw new ConfigException(label + ": " + file + " is not a PEM file (no " + PEM_BEGIN + " line)");
        }
        return file.toString();
    }

    /** Webhook secrets sign with HMAC-SHA256, which wants a key of at least its output size. */
    static final int MIN_WEBHOOK_SECRET_BYTES = 32;

    static java.net.URI webhookUrl(String value, String label) {
        try {
            URI uri = new URI(value.trim());
            String scheme = uri.getScheme();
            if (uri.getHost() != null && ("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))
                    && uri.getFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // falls through to the error below, which says what a valid value looks like
        }
        throw new ConfigException(label + ": invalid URL '" + value + "' (use an http:// or https:// URL, e.g."
                + " http://app:3000/herald/webhooks)");
    }

    static String webhookSecret(String value, String label) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_WEBHOOK_SECRET_BYTES) {
            throw new ConfigException(label + ": must be at least " + MIN_WEBHOOK_SECRET_BYTES
                    + " bytes (it is the HMAC-SHA256 key of X-Herald-Signature), was " + bytes);
        }
        return value;
    }

    static java.util.Set<io.herald.protocol.WebhookEvent> webhookEvents(java.util.List<String> names, String label) {
        if (names.isEmpty()) {
            throw new ConfigException(label + ": must name at least one event");
        }
        java.util.Set<io.herald.protocol.WebhookEvent> out = java.util.EnumSet.noneOf(io.herald.protocol.WebhookEvent.class);
        java.util.List<String> known = java.util.Arrays.stream(io.herald.protocol.WebhookEvent.values())
                .map(io.herald.protocol.WebhookEvent::wire).toList();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).trim();
            out.add(io.herald.protocol.WebhookEvent.of(name).orElseThrow(() -> new ConfigException(label
                    + ": unknown event '" + name + "'" + Suggestion.of(name, known)
                    .map(s -> " (did you mean '" + s + "'?)").orElse("") + "; known: " + String.join(", ", known))));
        }
        return out;
    }

    static void distinctWebhookUrls(java.util.List<WebhookConfig> hooks, String label) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (WebhookConfig h : hooks) {
            if (!seen.add(h.url().toString())) {
                throw new ConfigException(label + ": the URL " + h.redactedUrl() + " is listed twice (one entry per URL)");
            }
        }
    }

    static long limitAtLeastOne(long value, long max, String label) {
        if (value < 1 || value > max) {
            throw new ConfigException(label + ": must be 1.." + max + " (was " + value + ")");
        }
        return value;
    }
}
