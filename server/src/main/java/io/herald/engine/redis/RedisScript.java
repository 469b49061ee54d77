package io.herald.engine.redis;

import io.herald.engine.EngineOutcomeUnknownException;
import io.herald.engine.EngineUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
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

    /**
     * Runs the script on {@code redis}. Fails with {@link EngineUnavailableException} when the command
     * never left this node (nothing was done), with {@link EngineOutcomeUnknownException} when it may
     * have reached Redis without an answer coming back (see {@link TrackedCommand}); other failures
     * (errors Redis answered) stay as they are.
     */
    <T> CompletableFuture<T> run(RedisBackend redis, ScriptOutputType type, String[] keys, byte[]... args) {
        CompletableFuture<T> first = send(redis, CommandType.EVALSHA, sha.getBytes(StandardCharsets.US_ASCII), type, keys, args);
        return first.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            if (unwrap(error) instanceof RedisNoScriptException) {
                // Redis answered NOSCRIPT: the script did not run, so sending it in full is safe
                return this.<T>send(redis, CommandType.EVAL, body, type, keys, args);
            }
            return CompletableFuture.<T>failedFuture(unwrap(error));
        }).thenCompose(f -> f);
    }

    private <T> CompletableFuture<T> send(RedisBackend redis, CommandType command, byte[] script, ScriptOutputType type,
                                          String[] keys, byte[]... args) {
        CommandArgs<String, byte[]> a = new CommandArgs<>(RedisBackend.CODEC)
                .add(script).add(keys.length).addKeys(keys).addValues(args);
        TrackedCommand<T> c = new TrackedCommand<>(command, output(type), a);
        redis.dispatch(c);
        return c.outcome(name);
    }

    @SuppressWarnings("unchecked")
    private static <T> CommandOutput<String, byte[], T> output(ScriptOutputType type) {
        return (CommandOutput<String, byte[], T>) switch (type) {
            case MULTI -> new NestedMultiOutput<>(RedisBackend.CODEC);
            case INTEGER -> new IntegerOutput<>(RedisBackend.CODEC);
            default -> throw new IllegalArgumentException("no script of this engine returns " + type);
        };
    }

    /**
     * The same distinction for commands sent without tracking (pub/sub, node registry), from what
     * Lettuce reports: rejected before the write ("not connected", a closed or full queue, a failed
     * connect) means not sent; any other loss of the answer (timeouts, the connection closed or
     * disconnected with the command in flight) means the outcome is unknown. Errors Redis answered
     * stay as they are.
     */
    static Throwable translate(String what, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof EngineUnavailableException || cause instanceof EngineOutcomeUnknownException
                || cause instanceof RedisCommandExecutionException
                || !(cause instanceof RedisException || cause instanceof IOException)) {
            return cause;
        }
        String message = String.valueOf(cause.getMessage());
        boolean notSent = cause instanceof RedisConnectionException
                || message.startsWith("Currently not connected")
                || message.startsWith("Connection is closed")
                || message.contains("size exceeded");
        return TrackedCommand.classify(what, cause, !notSent);
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
