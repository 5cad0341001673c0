package io.caduceus.verifier;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the auditor requires beyond the bundle itself.
 *
 * @param minConfirmations blocks that must include or follow the anchoring block (1 = mined); fewer gives "could not
 *                         decide", because a shallow anchor may still be reorganised away
 * @param expectedChainId  the chain the auditor insists on (1 for Ethereum mainnet); a bundle anchored anywhere else
 *                         is invalid for this auditor, whatever its own {@code anchor.chainId} says
 * @param rpcTimeout       deadline of every single RPC call (connect, write, read and the whole call), so an endpoint
 *                         that hangs turns into "could not decide" instead of a stuck audit
 */
public record VerifierOptions(long minConfirmations, OptionalLong expectedChainId, Duration rpcTimeout) {

    public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(10);

    public VerifierOptions {
        Objects.requireNonNull(expectedChainId, "expectedChainId");
        Objects.requireNonNull(rpcTimeout, "rpcTimeout");
        if (minConfirmations < 0) {
            throw new IllegalArgumentException("minimum confirmations must not be negative, got " + minConfirmations);
        }
        if (expectedChainId.isPresent() && expectedChainId.getAsLong() <= 0) {
            throw new IllegalArgumentException("chain id must be positive, got " + expectedChainId.getAsLong());
        }
        if (rpcTimeout.isNegative() || rpcTimeout.isZero()) {
            throw new IllegalArgumentException("RPC timeout must be positive, got " + rpcTimeout);
        }
    }

    /** One confirmation (the anchor is mined), any chain the bundle names, 10 seconds per RPC call. */
    public static VerifierOptions defaults() {
        return new VerifierOptions(1, OptionalLong.empty(), DEFAULT_RPC_TIMEOUT);
    }

    public VerifierOptions withMinConfirmations(long confirmations) {
        return new VerifierOptions(confirmations, expectedChainId, rpcTimeout);
    }

    public VerifierOptions withExpectedChainId(long chainId) {
        return new VerifierOptions(minConfirmations, OptionalLong.of(chainId), rpcTimeout);
    }

    public VerifierOptions withRpcTimeout(Duration timeout) {
        return new VerifierOptions(minConfirmations, expectedChainId, timeout);
    }
}
