package io.caduceus.adapters.fabric.anchoring;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.bridge.ReceiptSink;
import io.caduceus.core.domain.AnchorReceipt;
import java.util.Optional;

/**
 * Writes each confirmed anchor's receipt back to the Fabric ledger ({@code PutAnchorReceipt}), after keeping it in the
 * local outbox file. Receipts come in tree-size order and again after a crash; the chaincode takes the same receipt
 * twice as a no-op, and refuses an older one once a newer one is stored ({@code NON_MONOTONIC}): that one was then
 * stored before, since a receipt whose delivery failed stops those after it.
 */
final class FabricReceiptSink implements ReceiptSink {

    private final ReceiptSink outbox;
    private final LedgerWriter ledger;

    FabricReceiptSink(ReceiptSink outbox, LedgerWriter ledger) {
        this.outbox = outbox;
        this.ledger = ledger;
    }

    @Override
    public void accept(AnchorReceipt receipt) throws Exception {
        outbox.accept(receipt);
        try {
            ledger.putAnchorReceipt(receipt);
        } catch (LedgerException e) {
            Optional<AnchorReceipt> latest = e.chaincodeError().filter("NON_MONOTONIC"::equals).isPresent()
                    ? ledger.latestAnchorReceipt() : Optional.empty();
            if (latest.isEmpty() || latest.get().treeSize() <= receipt.treeSize()) {
                throw e;
            }
        }
    }
}
