package io.herald.engine.redis;

import io.herald.engine.EngineUnavailableException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script from this package's resources, run with {@code EVALSHA} and sent in full only when
 * the server does not have it cached yet (after a restart, on a new cluster node). Immutable.
 */
final class RedisScript {
    private static final String SHARED = load("stream.lua");

    private final String name;
    private final byte[] body;
    private final String sha;

    private RedisScript(String name, String text) {
        this.name = name;
        this.body = text.getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(body);
    }

    /** A script; {@code withStreamFunctions} prepends the stream helpers of {@code stream.lua}. */
    static RedisScript of(String resource, boolean withStreamFunctions) {
        String text = load(resource);
        return new RedisScript(resource, withStreamFunctions ? SHARED + "\n" + text : text);
    }

    /** Runs the script; failures because Redis cannot be reached become {@link EngineUnavailableException}. */
    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, byte[]> redis, ScriptOutputType type,
                                 String[] keys, byte[]... args) {
        CompletableFuture<T> first = redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
        return first.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            if (unwrap(error) instanceof RedisNoScriptException) {
                return redis.<T>eval(body, type, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<T>failedFuture(error);
        }).thenCompose(f -> f).exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(name, e)));
    }

    /** Connection losses and timeouts mean "not available"; anything else is a real failure and stays as it is. */
    static Throwable translate(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof EngineUnavailableException) {
            return cause;
        }
        String message = String.valueOf(cause.getMessage());
        if (cause instanceof io.lettuce.core.RedisConnectionException
                || cause instanceof io.lettuce.core.RedisCommandTimeoutException
                || cause instanceof io.lettuce.core.RedisCommandInterruptedException
                || cause instanceof io.lettuce.core.RedisException
                        && (message.contains("not connected") || message.contains("Connection closed"))) {
            return new EngineUnavailableException("Redis is not reachable (" + what + "): " + cause.getMessage(), cause);
        }
        return cause;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static String load(String resource) {
        try (InputStream in = RedisScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(byte[] text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }
}
