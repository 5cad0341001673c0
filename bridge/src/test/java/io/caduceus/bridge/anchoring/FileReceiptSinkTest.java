package io.caduceus.bridge.anchoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReceiptSinkTest {

    @TempDir
    Path dir;

    private static AnchorReceipt receipt(long size) {
        String tx = "0x" + Sha256.digest(("tx" + size).getBytes(StandardCharsets.UTF_8)).hex();
        return new AnchorReceipt(31337, "0x" + "ab".repeat(20), tx, 10 + size, Instant.parse("2026-11-25T12:00:00Z"),
                Sha256.digest(("root" + size).getBytes(StandardCharsets.UTF_8)), size, "caduceus", 0);
    }

    @Test
    void offersAgainAreWrittenOnceAlsoAcrossRestarts() throws Exception {
        Path file = dir.resolve("outbox/receipts.jsonl");
        FileReceiptSink sink = new FileReceiptSink(file);
        sink.accept(receipt(3));
        sink.accept(receipt(3));
        sink.accept(receipt(5));
        FileReceiptSink reopened = new FileReceiptSink(file);
        reopened.accept(receipt(5));
        reopened.accept(receipt(8));
        assertThat(Files.readAllLines(file)).containsExactly(receipt(3).toJson(), receipt(5).toJson(),
                receipt(8).toJson());
        assertThat(reopened.size()).isEqualTo(3);
    }

    @Test
    void aLineTornByACrashDoesNotSwallowTheNextReceipt() throws Exception {
        Path file = dir.resolve("receipts.jsonl");
        String torn = receipt(3).toJson().substring(0, 40);
        Files.writeString(file, receipt(2).toJson() + "\n" + torn, StandardCharsets.UTF_8, StandardOpenOption.CREATE);
        FileReceiptSink sink = new FileReceiptSink(file);
        sink.accept(receipt(3));
        assertThat(Files.readAllLines(file)).containsExactly(receipt(2).toJson(), torn, receipt(3).toJson());
    }

    @Test
    void theSameSignedAnchorMinedAgainOnAChainRestartedFromGenesisIsANewReceipt() throws Exception {
        Path file = dir.resolve("receipts.jsonl");
        AnchorReceipt before = receipt(3);
        AnchorReceipt after = new AnchorReceipt(before.chainId(), before.contractAddress(), before.transactionHash(),
                before.blockNumber(), before.blockTime().plusSeconds(3600), before.root(), before.treeSize(),
                before.fabricChannel(), before.fabricBlockHeight());
        new FileReceiptSink(file).accept(before);
        FileReceiptSink reopened = new FileReceiptSink(file);
        reopened.accept(after);
        reopened.accept(before);
        assertThat(Files.readAllLines(file)).containsExactly(before.toJson(), after.toJson());
    }
}
