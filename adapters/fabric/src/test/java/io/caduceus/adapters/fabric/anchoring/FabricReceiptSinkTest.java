package io.caduceus.adapters.fabric.anchoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.caduceus.ingest.ledger.UnsupportedLedgerWriter;
import io.caduceus.bridge.anchoring.FileReceiptSink;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FabricReceiptSinkTest {

    @TempDir
    Path dir;

    private static AnchorReceipt receipt(long size) {
        String tx = "0x" + Sha256.digest(("tx" + size).getBytes(StandardCharsets.UTF_8)).hex();
        return new AnchorReceipt(31337, "0x" + "ab".repeat(20), tx, 10 + size, Instant.parse("2026-11-25T12:00:00Z"),
                Sha256.digest(("root" + size).getBytes(StandardCharsets.UTF_8)), size, "caduceus", 7);
    }

    /** The chaincode's rules for receipts: same one again is a no-op, an older one than the latest is refused. */
    static final class FakeLedger extends UnsupportedLedgerWriter {
        final List<AnchorReceipt> stored = new ArrayList<>();
        LedgerException down;

        @Override
        public void putAnchorReceipt(AnchorReceipt receipt) {
            if (down != null) {
                throw down;
            }
            Optional<AnchorReceipt> latest = latestAnchorReceipt();
            if (latest.isPresent() && receipt.treeSize() < latest.get().treeSize()) {
                throw LedgerException.chaincodeRefusal(Kind.CHAINCODE_REJECTED, "below the latest", "tx9",
                        "NON_MONOTONIC");
            }
            if (latest.isEmpty() || !latest.get().equals(receipt)) {
                stored.add(receipt);
            }
        }

        @Override
        public Optional<AnchorReceipt> latestAnchorReceipt() {
            return stored.isEmpty() ? Optional.empty() : Optional.of(stored.get(stored.size() - 1));
        }
    }

    @Test
    void receiptsGoToTheOutboxAndToTheLedgerAndOffersAgainAfterACrashAreHarmless() throws Exception {
        FakeLedger ledger = new FakeLedger();
        Path outbox = dir.resolve("outbox.jsonl");
        FabricReceiptSink sink = new FabricReceiptSink(new FileReceiptSink(outbox), ledger);

        sink.accept(receipt(10));
        sink.accept(receipt(20));
        // After a crash the anchorer offers receipts again: the latest, and even an older one.
        FabricReceiptSink restarted = new FabricReceiptSink(new FileReceiptSink(outbox), ledger);
        restarted.accept(receipt(20));
        restarted.accept(receipt(10));

        assertThat(ledger.stored).containsExactly(receipt(10), receipt(20));
        assertThat(Files.readAllLines(outbox)).containsExactly(receipt(10).toJson(), receipt(20).toJson());
    }

    @Test
    void aLedgerThatCannotTakeTheReceiptFailsTheDeliverySoItIsOfferedAgain() throws Exception {
        FakeLedger ledger = new FakeLedger();
        FabricReceiptSink sink = new FabricReceiptSink(new FileReceiptSink(dir.resolve("outbox.jsonl")), ledger);
        ledger.down = new LedgerException(Kind.UNAVAILABLE, "peer down");

        assertThatThrownBy(() -> sink.accept(receipt(10))).isSameAs(ledger.down);

        ledger.down = null;
        sink.accept(receipt(10));
        assertThat(ledger.stored).containsExactly(receipt(10));
    }

    @Test
    void aNonMonotonicRefusalOfANewerReceiptIsNotSwallowed() {
        FakeLedger ledger = new FakeLedger();
        ledger.down = LedgerException.chaincodeRefusal(Kind.CHAINCODE_REJECTED, "below the latest", "tx9",
                "NON_MONOTONIC");
        FabricReceiptSink sink = new FabricReceiptSink(new FileReceiptSink(dir.resolve("outbox.jsonl")), ledger);

        assertThatThrownBy(() -> sink.accept(receipt(10))).isSameAs(ledger.down);
    }
}
