package io.herald.admin;

import java.util.Map;

/**
 * An answer of the admin UI: a status, a content type, a body and extra headers
 * ({@code Set-Cookie}, {@code Retry-After}, caching).
 */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    static AdminResponse json(int status, byte[] body) {
        return new AdminResponse(status, JSON, body, Map.of("Cache-Control", "no-store"));
    }
}
