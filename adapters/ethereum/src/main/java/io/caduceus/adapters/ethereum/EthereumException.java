package io.caduceus.adapters.ethereum;

import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.ChainException;

/**
 * A failed Ethereum call: the chain port's {@link ChainException}, thrown by everything in this adapter.
 * {@link #isRetriable()} separates what may succeed later unchanged (node down, timeout) from what never will (wrong
 * chain, rejected request, contract revert). When a transaction was already sent, its hash is kept: a retriable
 * failure after sending (e.g. no receipt before the deadline) may still be mined, so the caller must look the
 * transaction up before sending it again.
 *
 * <p>Messages never contain private keys: only addresses, hashes and node answers.
 */
public class EthereumException extends ChainException {

    private static final long serialVersionUID = 1L;

    public EthereumException(String message, boolean retriable, Throwable cause) {
        super(message, retriable, cause);
    }

    public EthereumException(String message, boolean retriable, Throwable cause, String transactionHash) {
        super(message, retriable, cause, transactionHash);
    }

    protected EthereumException(String message, Throwable cause, String transactionHash,
                                AnchorRegistry.Refusal refusal) {
        super(message, false, cause, transactionHash, refusal);
    }
}
