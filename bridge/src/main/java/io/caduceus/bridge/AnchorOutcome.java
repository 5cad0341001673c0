package io.caduceus.bridge;

import java.util.Optional;

/**
 * What one {@link Anchorer#anchorIfDue} tick did.
 *
 * @param transactionHash the anchor sent, for {@link Kind#ANCHORED}
 * @param treeSize        the size anchored or adopted, 0 otherwise
 * @param detail          for logs: sizes, hashes and reasons only, never record content
 */
public record AnchorOutcome(Kind kind, long treeSize, Optional<String> transactionHash, String detail) {

    public enum Kind {
        /** Nothing unanchored, or neither threshold reached yet. */
        NOT_DUE,
        /** A new anchor was mined and is now pending confirmation. */
        ANCHORED,
        /** The chain already held a root of this log that the local state did not know of; it was adopted. */
        RECONCILED,
        /** A retriable failure (node down, timeout); the state is unchanged and the next tick tries again. */
        RETRY_LATER
    }

    static AnchorOutcome notDue(String detail) {
        return new AnchorOutcome(Kind.NOT_DUE, 0, Optional.empty(), detail);
    }

    static AnchorOutcome retryLater(String detail) {
        return new AnchorOutcome(Kind.RETRY_LATER, 0, Optional.empty(), detail);
    }
}
