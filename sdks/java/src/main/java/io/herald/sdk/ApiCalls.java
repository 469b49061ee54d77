package io.herald.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * One server API call with its retries: a request with the per-request timeout and the byte cap,
 * under a slot of {@link AsyncPermits}, retried with full-jitter backoff while the failure is
 * retryable under the call's policy and the budget lasts. Thread-safe; owned by one {@link HeraldApi}.
 */
final class ApiCalls {
    /** Statuses a call retries (same key every time, so a publish is never applied twice). */
    private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 503, 504);

    /** Which failures a call retries: all retryable ones, or only those where Herald did nothing (429, 503). */
    enum RetryPolicy { ALL, NOTHING_DONE }

    private final String base;
    private final String authorization;
    private final Duration timeout;
    private final long minBackoffMillis;
    private final long maxBackoffMillis;
    private final long maxResponseBytes;
    private final DoubleSupplier random;
    private final AsyncPermits permits;
    private final HttpClient http;

    ApiCalls(String base, String apiKey, Duration timeout, long minBackoffMillis, long maxBackoffMillis,
             long maxResponseBytes, DoubleSupplier random, AsyncPermits permits) {
        this.base = base;
        this.authorization = "apikey " + apiKey;
        this.timeout = timeout;
        this.minBackoffMillis = minBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
        this.maxResponseBytes = maxResponseBytes;
        this.random = random;
        this.permits = permits;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    CompletableFuture<JsonNode> call(String method, String path, ObjectNode body, RetryPolicy policy, String key,
                                             long budgetMillis) {
        byte[] bytes;
        try {
            bytes = body == null ? null : Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body does not serialize: " + e.getMessage(), e);
        }
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        attempt(method, path, bytes, policy, key, System.nanoTime(), budgetMillis, 0, result);
        return result;
    }

    private void attempt(String method, String path, byte[] body, RetryPolicy policy, String key, long started,
                         long budgetMillis, int attempt, CompletableFuture<JsonNode> result) {
        if (result.isDone()) {
            return; // cancelled by the caller
        }
        once(method, path, body, key).whenComplete((json, error) -> {
            if (error == null) {
                result.complete(json);
                return;
            }
            Throwable cause = unwrap(error);
            if (!(cause instanceof HeraldApiException failure)) {
                result.completeExceptionally(cause);
                return;
            }
            boolean retry = failure.retryable()
                    && (policy == RetryPolicy.ALL || failure.status() == 429 || failure.status() == 503);
            if (!retry) {
                result.completeExceptionally(failure);
                return;
            }
            long backoff = Backoff.delayMillis(attempt, minBackoffMillis, maxBackoffMillis, 0, random);
            long wait = Math.max(failure.retryAfter() == null ? 0 : failure.retryAfter().toMillis(), backoff);
            long elapsed = elapsedMillis(started);
            if (elapsed + wait >= budgetMillis) {
                result.completeExceptionally(new HeraldApiException(HeraldErrorCode.DEADLINE_EXCEEDED,
                        method + " " + path + ": gave up after " + (attempt + 1) + " tries in " + elapsed + " ms: "
                                + failure.getMessage(), failure.status(), key, true, null, failure));
                return;
            }
            CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() ->
                    attempt(method, path, body, policy, key, started, budgetMillis, attempt + 1, result));
        });
    }

    /** One request; completes with the JSON object of a 2xx answer, else fails with a HeraldApiException. */
    private CompletableFuture<JsonNode> once(String method, String path, byte[] body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        }
        HttpRequest built = request.build();
        return permits.acquire().thenCompose(permit -> {
            CompletableFuture<HttpResponse<byte[]>> sent;
            try {
                sent = http.sendAsync(built, CappedBody.handler(maxResponseBytes));
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
            return sent.handle((response, error) -> {
                permits.release();
                if (error != null) {
                    throw networkFailure(method, path, unwrap(error), key);
                }
                return answer(method, path, response, key);
            });
        });
    }

    private HeraldApiException networkFailure(String method, String path, Throwable error, String key) {
        if (error instanceof CappedBody.TooLarge) {
            return new HeraldApiException(HeraldErrorCode.BAD_RESPONSE, method + " " + path + ": " + error.getMessage(),
                    0, key, false, null, error);
        }
        String reason = error instanceof HttpTimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                : error.getClass().getSimpleName() + (error.getMessage() == null ? "" : " (" + error.getMessage() + ")");
        return new HeraldApiException(HeraldErrorCode.NETWORK_ERROR, method + " " + path + ": " + reason, 0, key, true,
                null, error);
    }

    private static JsonNode answer(String method, String path, HttpResponse<byte[]> response, String key) {
        byte[] bytes = response.body();
        int status = response.statusCode();
        JsonNode json;
        try {
            json = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            json = null;
        }
        if (json != null && !json.isObject()) {
            json = null;
        }
        String text = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.UTF_8);
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new HeraldApiException(HeraldErrorCode.BAD_RESPONSE, method + " " + path
                        + ": answer is not a JSON object: " + text, status, key, false, null, null);
            }
            return json;
        }
        JsonNode error = json == null ? null : json.get("error");
        String word = error != null && error.isObject() ? error.path("code").asText(null) : null;
        String message = error != null && error.isObject() ? error.path("message").asText(null) : null;
        String answeredKey = json == null ? key : Json.textOr(json, "idempotency_key", key);
        HeraldErrorCode code = HeraldErrorCode.ofProtocolWord(word).orElse(HeraldErrorCode.HTTP_ERROR);
        Duration retryAfter = parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
        throw new HeraldApiException(code, method + " " + path + ": " + status + " " + (message != null ? message : text),
                status, answeredKey, RETRYABLE_STATUS.contains(status), retryAfter, null);
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
    static Duration parseRetryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static long elapsedMillis(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    void close() {
        http.close();
    }
}
