package io.caduceus.bridge;

import io.caduceus.core.domain.AnchorReceipt;

/**
 * Receives each confirmed anchor, in tree-size order, at least once: a receipt whose delivery threw is offered again
 * at the next {@link Anchorer#confirmPending}, so the sink must be idempotent (key it by transaction hash).
 */
@FunctionalInterface
public interface ReceiptSink {

    void accept(AnchorReceipt receipt) throws Exception;
}
