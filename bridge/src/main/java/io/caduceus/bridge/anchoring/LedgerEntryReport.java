package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.AnchoringLog;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Where a record's ledger entry is (GET /api/ledger/{recordId}, GET /api/track): its leaf and commitment in the
 * anchoring log, the Fabric block and transaction that committed it (with the batch that transaction recorded, asked
 * of the ledger), and the first confirmed anchor covering it.
 */
final class LedgerEntryReport {

    private final AnchoringLog log;
    private final ConfirmedReceipts receipts;
    private final Optional<LedgerLookup> ledger;
    private final LongSupplier latestBlock;

    LedgerEntryReport(AnchoringLog log, ConfirmedReceipts receipts, Optional<LedgerLookup> ledger,
                      LongSupplier latestBlock) {
        this.log = log;
        this.receipts = receipts;
        this.ledger = ledger;
        this.latestBlock = latestBlock;
    }

    /** Empty while the log does not hold the record. */
    Optional<Map<String, Object>> of(RecordId recordId) {
        OptionalLong leaf = log.leafIndex(recordId);
        if (leaf.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordId", recordId.value());
        out.put("leafIndex", leaf.getAsLong());
        out.put("commitment", log.commitment(leaf.getAsLong()).hex());
        Optional<String> position = log.positionOf(leaf.getAsLong());
        out.put("committed", committed(recordId, position));
        out.put("anchor", anchor(leaf.getAsLong()));
        return Optional.of(out);
    }

    private Map<String, Object> committed(RecordId recordId, Optional<String> position) {
        Optional<Map.Entry<Long, String>> origin = position.flatMap(CommittedPosition::origin);
        Map<String, Object> out = new LinkedHashMap<>();
        if (origin.isEmpty()) {
            out.put("ledger", "kafka");
            out.put("position", position.orElse(null));
            return out;
        }
        out.put("ledger", "fabric");
        out.put("channel", ledger.map(LedgerLookup::channel).orElse(null));
        out.put("block", origin.get().getKey());
        out.put("transaction", origin.get().getValue());
        if (ledger.isPresent()) {
            try {
                String transaction = origin.get().getValue();
                out.put("entry", ledger.get().committedEntries(transaction).stream()
                        .filter(e -> e.recordId().equals(recordId)).findFirst()
                        .map(LedgerEntryReport::describe).orElse(null));
                out.put("batch", ledger.get().batch(transaction).map(CanonicalJson::parse).orElse(null));
            } catch (RuntimeException e) {
                out.put("entry", "unavailable: " + e.getMessage());
            }
        }
        return out;
    }

    private Map<String, Object> anchor(long leaf) {
        Map<String, Object> anchor = new LinkedHashMap<>();
        Optional<AnchorReceipt> covering = receipts.confirmedReceipts().stream()
                .filter(r -> r.treeSize() > leaf).findFirst();
        anchor.put("state", covering.isPresent() ? "anchored" : "pending");
        covering.ifPresent(r -> {
            anchor.put("treeSize", r.treeSize());
            anchor.put("root", r.root().hex());
            anchor.put("chainId", r.chainId());
            anchor.put("contract", r.contractAddress());
            anchor.put("transactionHash", r.transactionHash());
            anchor.put("blockNumber", r.blockNumber());
            long latest = latestBlock.getAsLong();
            if (latest >= r.blockNumber()) {
                anchor.put("confirmations", latest - r.blockNumber() + 1);
            }
        });
        return anchor;
    }

    /**
     * A ledger entry as the ledger API shows it: whether it concerns a patient, not which one. Auditors may call it, and
     * a pseudonym would let them link a patient's records across the ledger.
     */
    private static Map<String, Object> describe(LedgerEntry entry) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recordId", entry.recordId().value());
        out.put("commitment", entry.commitment().hex());
        out.put("messageType", entry.messageType());
        out.put("source", entry.source().application() + "^" + entry.source().facility());
        out.put("receivedAt", entry.receivedAt().toString());
        out.put("aboutAPatient", entry.patientPseudonym().isPresent());
        return out;
    }
}
