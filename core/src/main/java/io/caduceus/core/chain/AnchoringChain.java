package io.caduceus.core.chain;

/**
 * The chain an anchoring service anchors in, as one object the composition root hands it: opens the connections the
 * anchorer needs and signs with the anchoring key, which never leaves the implementation. Connections are the
 * caller's to close; a failed one is opened again at the next attempt. Used by one thread at a time per connection.
 */
public interface AnchoringChain {

    /**
     * Connects to the node and checks that it is on the configured chain.
     *
     * @throws ChainException retriable when the node cannot be reached; permanent when it is on another chain
     */
    ChainNode connectNode();

    /** The anchoring key's address; the key is opened (decrypted) the first time only. */
    String signerAddress();

    /** The registry at {@code contract}, signing anchors with the anchoring key. */
    AnchorRegistry registry(String contract);

    /** Reads transactions and anchor events back. */
    TransactionLookup transactions();

    /** Balances and transaction costs, for the metrics. */
    ChainAccounts accounts();
}
