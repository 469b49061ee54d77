package io.herald.engine.redis;

import io.herald.engine.EngineOutcomeUnknownException;
import io.herald.engine.EngineUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Redis command that knows whether it left this node, so that its failure can say whether Redis
 * may have run it.
 *
 * <p>Lettuce encodes a command into the connection's outbound buffer in {@link #encode}, on the
 * connection's event loop, in the same step in which it checks that the command is not already done.
 * Until then nothing of the command can have reached Redis. Every failure that leaves a command
 * unencoded for good happens before that step or on that same loop: rejected while disconnected
 * ({@code REJECT_COMMANDS}), a full queue, a closed connection, drained from a buffer when the
 * connection dropped. So a command that failed unencoded was not sent: nothing was done. An encoded
 * command that failed without an answer (a timeout, the connection lost after the write, even a
 * write that failed halfway) may have run, and may still run once a frozen Redis resumes: the outcome
 * is unknown. A timeout fires on a timer thread, concurrently with the event loop, so it is always
 * treated as unknown. Errors Redis itself answered ({@code ERR}, {@code NOSCRIPT}) are answers and
 * pass through unchanged; so do failures of an unencoded command that are neither Lettuce's nor I/O
 * errors (a bug, not an outage).
 */
final class TrackedCommand<T> extends AsyncCommand<String, byte[], T> {
    /** Set by the connection's event loop when the command is encoded; read by whoever sees it fail. */
    private volatile boolean encoded;

    TrackedCommand(ProtocolKeyword type, CommandOutput<String, byte[], T> output, CommandArgs<String, byte[]> args) {
        super(new Command<>(type, output, args));
    }

    @Override
    public void encode(ByteBuf buf) {
        encoded = true;
        super.encode(buf);
    }

    /** The reply, failing with {@link EngineUnavailableException} or {@link EngineOutcomeUnknownException} as above. */
    CompletableFuture<T> outcome(String what) {
        return exceptionallyCompose(e -> CompletableFuture.failedFuture(classify(what, e, encoded)));
    }

    static Throwable classify(String what, Throwable error, boolean encoded) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RedisCommandExecutionException) {
            return cause;
        }
        // Any other failure of an encoded command, whatever its type: Lettuce fails the command at the
        // head of its queue with the raw I/O error ("Connection reset by peer") when the socket breaks.
        if (encoded || cause instanceof RedisCommandTimeoutException) {
            return new EngineOutcomeUnknownException("Redis did not answer (" + what + "), the command may have been applied: "
                    + cause.getMessage(), cause);
        }
        if (cause instanceof RedisException || cause instanceof IOException) {
            return new EngineUnavailableException("Redis is not reachable (" + what + "), the command was not sent: "
                    + cause.getMessage(), cause);
        }
        return cause;
    }
}
