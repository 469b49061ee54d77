package io.herald.api;

/** A JSON response of the server API. */
public record ApiResponse(int status, byte[] body) {
}
