package io.herald.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.auth.AuthException.Reason;
import io.herald.protocol.ChannelPattern;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the registered claims of a verified token payload ({@code exp}, {@code nbf}, {@code iss},
 * {@code aud}) and maps the rest to {@link Claims}. The payload is read with Jackson rather than
 * nimbus's claim set so that every type error can name its claim. A claim that is JSON
 * {@code null} counts as absent. Immutable and thread-safe.
 */
final class ClaimsReader {
    // Duplicate names are refused: two "sub" members would mean different things to different parsers.
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String audience;  // null = not checked
    private final String issuer;    // null = not checked
    private final boolean allowNoExp;
    private final Clock clock;
    private final long skewMillis;

    ClaimsReader(String audience, String issuer, boolean allowNoExp, Clock clock, Duration skew) {
        this.audience = audience;
        this.issuer = issuer;
        this.allowNoExp = allowNoExp;
        this.clock = clock;
        this.skewMillis = skew.toMillis();
    }

    Claims read(String payload) throws AuthException {
        ObjectNode claims = parse(payload);
        long now = clock.millis();
        long exp = expiry(claims, now);
        checkNotBefore(claims, now);
        checkIssuer(claims);
        checkAudience(claims);
        return new Claims(subject(claims), exp, patterns(claims, "channels"), patterns(claims, "publish"),
                strings(claims, "subscribe"), info(claims));
    }

    /** See {@link Claims#fromProxyResult}. */
    static Claims fromResult(ObjectNode r, long nowMillis) throws AuthException {
        JsonNode user = present(r, "user");
        if (user == null || !user.isTextual()) {
            throw invalid("connect proxy result needs \"user\" as a string (\"\" for anonymous)");
        }
        JsonNode expires = present(r, "expires");
        long exp = expires == null ? 0 : numericDate(expires, "expires");
        if (expires != null && (exp <= 0 || nowMillis >= Math.multiplyExact(exp, 1000L))) {
            throw new AuthException(Reason.EXPIRED, "connect proxy result has an expires in the past");
        }
        return new Claims(user.textValue(), exp, patterns(r, "channels"), patterns(r, "publish"),
                strings(r, "subscribe"), info(r));
    }

    private static ObjectNode parse(String payload) throws AuthException {
        try {
            if (JSON.readTree(payload) instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            // Jackson's message quotes the input; ours must not.
            throw invalid("token payload is not valid JSON");
        }
        throw invalid("token payload is not a JSON object");
    }

    /** Returns {@code exp} in epoch seconds, or 0 when absent and allowed. */
    private long expiry(ObjectNode claims, long now) throws AuthException {
        JsonNode exp = present(claims, "exp");
        if (exp == null) {
            if (allowNoExp) {
                return 0;
            }
            throw invalid("token has no exp claim");
        }
        long seconds = numericDate(exp, "exp");
        if (now >= Math.multiplyExact(seconds, 1000L) + skewMillis) {
            throw new AuthException(Reason.EXPIRED, "token expired");
        }
        return seconds;
    }

    private void checkNotBefore(ObjectNode claims, long now) throws AuthException {
        JsonNode nbf = present(claims, "nbf");
        if (nbf != null && Math.multiplyExact(numericDate(nbf, "nbf"), 1000L) > now + skewMillis) {
            throw invalid("token is not valid yet (nbf is in the future)");
        }
    }

    /** A NumericDate, truncated to whole seconds; bounded so that times in milliseconds cannot overflow. */
    private static long numericDate(JsonNode node, String name) throws AuthException {
        if (!node.isNumber()) {
            throw invalid("token claim " + name + " must be a number");
        }
        if (!node.canConvertToLong() || Math.abs(node.asLong()) > Long.MAX_VALUE / 2000) {
            throw invalid("token claim " + name + " is out of range");
        }
        return node.asLong();
    }

    private void checkIssuer(ObjectNode claims) throws AuthException {
        if (issuer == null) {
            return;
        }
        JsonNode iss = present(claims, "iss");
        if (iss == null) {
            throw invalid("token has no iss claim");
        }
        if (!iss.isTextual()) {
            throw invalid("token claim iss must be a string");
        }
        if (!iss.textValue().equals(issuer)) {
            throw invalid("token iss does not match the configured issuer");
        }
    }

    private void checkAudience(ObjectNode claims) throws AuthException {
        if (audience == null) {
            return;
        }
        JsonNode aud = present(claims, "aud");
        if (aud == null) {
            throw invalid("token has no aud claim");
        }
        // RFC 7519 allows a single string or an array of strings.
        List<String> values = aud.isTextual() ? List.of(aud.textValue()) : textArray(aud,
                "token claim aud must be a string or an array of strings");
        if (!values.contains(audience)) {
            throw invalid("token aud does not match the configured audience");
        }
    }

    private static String subject(ObjectNode claims) throws AuthException {
        JsonNode sub = present(claims, "sub");
        if (sub == null) {
            return "";
        }
        if (!sub.isTextual()) {
            throw invalid("token claim sub must be a string");
        }
        return sub.textValue();
    }

    private static List<ChannelPattern> patterns(ObjectNode claims, String name) throws AuthException {
        List<String> sources = strings(claims, name);
        List<ChannelPattern> patterns = new ArrayList<>(sources.size());
        for (String source : sources) {
            try {
                patterns.add(ChannelPattern.of(source));
            } catch (IllegalArgumentException e) {
                throw invalid("token claim " + name + " has an invalid pattern: " + e.getMessage());
            }
        }
        return ChannelPattern.sharedList(patterns);
    }

    private static List<String> strings(ObjectNode claims, String name) throws AuthException {
        JsonNode node = present(claims, name);
        if (node == null) {
            return List.of();
        }
        return textArray(node, "token claim " + name + " must be an array of strings");
    }

    private static List<String> textArray(JsonNode node, String typeError) throws AuthException {
        if (!node.isArray()) {
            throw invalid(typeError);
        }
        List<String> values = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw invalid(typeError);
            }
            values.add(element.textValue());
        }
        return values;
    }

    private static ObjectNode info(ObjectNode claims) throws AuthException {
        JsonNode info = present(claims, "info");
        if (info == null) {
            return null;
        }
        if (!(info instanceof ObjectNode object)) {
            throw invalid("token claim info must be a JSON object");
        }
        return object;
    }

    private static JsonNode present(ObjectNode claims, String name) {
        JsonNode node = claims.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private static AuthException invalid(String message) {
        return new AuthException(Reason.INVALID, message);
    }
}
