package io.herald.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Settings of the PostgreSQL outbox reader (PROTOCOL.md, "PostgreSQL outbox").
 *
 * @param url          the {@code postgresql://user:password@host:port/db} URL as configured (shown redacted)
 * @param jdbcUrl      the same database as a JDBC URL, without the credentials
 * @param user         the user of {@code url}, or null for the driver's default
 * @param password     the password of {@code url}, or null
 * @param table        the outbox table; the dead table is {@code <table>_dead}, the NOTIFY channel {@code <table>}
 * @param pollInterval how often the reader looks at the table when no NOTIFY woke it, and how often a
 *                     node without the lock tries to take it
 * @param batchSize    rows read, and published at once, per round
 */
public record OutboxConfig(String url, String jdbcUrl, String user, String password, String table,
                           Duration pollInterval, int batchSize) {
    public static final String DEFAULT_TABLE = "herald_outbox";
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_BATCH_SIZE = 500;
    public static final int MAX_BATCH_SIZE = 10_000;
    static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
    static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(10);
    /** Lower-case so the unquoted name is the name; 55 long at most so the names made from it ({@code <table>_dead_id}) fit PostgreSQL's 63. */
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,54}");

    /** The settings for {@code url} with every other key at its default. */
    public static OutboxConfig of(String url, String label) {
        return parseUrl(url, label);
    }

    public OutboxConfig withTable(String value) {
        return new OutboxConfig(url, jdbcUrl, user, password, value, pollInterval, batchSize);
    }

    public OutboxConfig withPollInterval(Duration value) {
        return new OutboxConfig(url, jdbcUrl, user, password, table, value, batchSize);
    }

    public OutboxConfig withBatchSize(int value) {
        return new OutboxConfig(url, jdbcUrl, user, password, table, pollInterval, value);
    }

    /** The dead-letter table of {@link #table}. */
    public String deadTable() {
        return table + "_dead";
    }

    /**
     * Checks an outbox table name: 1-55 characters of {@code a-z 0-9 _}, not starting with a digit,
     * so it is written into SQL unquoted, names its NOTIFY channel as is, and {@code <table>_dead_id} fits PostgreSQL's 63.
     *
     * @throws ConfigException naming {@code label}
     */
    public static String table(String value, String label) {
        if (!TABLE.matcher(value).matches()) {
            throw new ConfigException(label + ": invalid table name '" + value
                    + "' (1-55 characters of a-z 0-9 _, not starting with a digit)");
        }
        return value;
    }

    static Duration pollInterval(Duration value, String label) {
        if (value.compareTo(MIN_POLL_INTERVAL) < 0 || value.compareTo(MAX_POLL_INTERVAL) > 0) {
            throw new ConfigException(label + ": must be 10ms..10m (was " + Units.format(value) + ")");
        }
        return value;
    }

    static int batchSize(long value, String label) {
        if (value < 1 || value > MAX_BATCH_SIZE) {
            throw new ConfigException(label + ": must be 1.." + MAX_BATCH_SIZE + " (was " + value + ")");
        }
        return (int) value;
    }

    /**
     * {@code postgresql://[user[:password]@]host[:port]/database[?param=value&...]} (or {@code
     * postgres://}); the parameters (say {@code sslmode=require}) go to the JDBC driver unchanged.
     */
    private static OutboxConfig parseUrl(String value, String label) {
        String v = value.trim();
        String problem = "use postgresql://user:password@host:5432/database";
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme();
            boolean known = "postgresql".equalsIgnoreCase(scheme) || "postgres".equalsIgnoreCase(scheme);
            String path = uri.getRawPath();
            if (known && uri.getHost() != null && uri.getPort() <= 65_535 && path != null && path.length() > 1
                    && path.indexOf('/', 1) < 0) {
                String user = null;
                String password = null;
                String info = uri.getRawUserInfo();
                if (info != null) {
                    int colon = info.indexOf(':');
                    user = decode(colon < 0 ? info : info.substring(0, colon));
                    password = colon < 0 ? null : decode(info.substring(colon + 1));
                    if (user.isEmpty()) {
                        user = null;
                    }
                }
                String host = uri.getHost();
                String jdbc = "jdbc:postgresql://" + host + (uri.getPort() >= 0 ? ":" + uri.getPort() : "") + path
                        + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
                return new OutboxConfig(v, jdbc, user, password, DEFAULT_TABLE, DEFAULT_POLL_INTERVAL, DEFAULT_BATCH_SIZE);
            }
            if (known && (path == null || path.length() <= 1)) {
                problem = "name the database: postgresql://user:password@host:5432/database";
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // falls through to the error below, which says what a valid value looks like
        }
        throw new ConfigException(label + ": invalid PostgreSQL URL '" + redacted(v) + "' (" + problem + ")");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL with its password replaced, for check-config output and error messages. */
    public static String redacted(String url) {
        return url.replaceFirst("(://[^:@/]*:)[^@/]*@", "$1<redacted>@");
    }

    @Override
    public String toString() {
        return "OutboxConfig[" + redacted(url) + ", table=" + table + ", pollInterval=" + pollInterval
                + ", batchSize=" + batchSize + "]";
    }
}
