package io.herald.proxy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.protocol.CloseCode;
import io.herald.protocol.ErrorCode;

/**
 * What one proxy call came to: one of the three answers of the backend's answer shape, a 4xx refusal
 * without that shape, or a failure (the backend did not answer usably, or the call was not sent).
 * Immutable.
 */
public sealed interface ProxyAnswer {
    /** The label this answer is counted under. */
    ProxyOutcome outcome();

    /** {@code {"result":{…}}}: the kind's result object. */
    record Result(ObjectNode result) implements ProxyAnswer {
        @Override
        public ProxyOutcome outcome() {
            return ProxyOutcome.RESULT;
        }
    }

    /** {@code {"error":{"code","message","temporary"}}}: the client's command gets this error. */
    record Error(ErrorCode code, String message, boolean temporary) implements ProxyAnswer {
        @Override
        public ProxyOutcome outcome() {
            return ProxyOutcome.ERROR;
        }
    }

    /** {@code {"disconnect":{"code","reason","reconnect"}}}: the connection is ended so. */
    record Disconnect(CloseCode code, String reason, boolean reconnect) implements ProxyAnswer {
        @Override
        public ProxyOutcome outcome() {
            return ProxyOutcome.DISCONNECT;
        }
    }

    /** A 4xx answer without the answer shape: a refusal ({@code permission_denied}, or 4003 for a connect). */
    record Refused(int status) implements ProxyAnswer {
        @Override
        public ProxyOutcome outcome() {
            return ProxyOutcome.REFUSED;
        }
    }

    /**
     * No usable answer: {@code outcome} is one of the failures of {@link ProxyOutcome} (never an
     * answer); {@code detail} says what happened, for logs.
     */
    record Failed(ProxyOutcome outcome, String detail) implements ProxyAnswer {
        public Failed {
            if (outcome.answered()) {
                throw new IllegalArgumentException(outcome + " is an answer, not a failure");
            }
        }
    }
}
