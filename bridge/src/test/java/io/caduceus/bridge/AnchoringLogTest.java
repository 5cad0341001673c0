package io.caduceus.bridge;

import static io.caduceus.bridge.Entries.entry;
import static io.caduceus.bridge.Entries.range;
import static io.caduceus.bridge.Entries.recordId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.merkle.TreeHead;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnchoringLogTest {

    @TempDir
    Path dir;

    @Test
    void appendsCommitmentsInOrderAndSkipsRecordsAlreadyLogged() {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.position()).isEmpty();
            AppendResult first = log.append(range(0, 5), "p0:5", 3);
            assertThat(first.appended()).isEqualTo(5);
            assertThat(first.skipped()).isZero();

            List<LedgerEntry> replayed = new ArrayList<>(range(3, 8));
            replayed.add(entry(6)); // a repeat inside one batch counts once
            AppendResult second = log.append(replayed, "p0:8");
            assertThat(second.appended()).isEqualTo(3);
            assertThat(second.skipped()).isEqualTo(3);

            assertThat(log.size()).isEqualTo(8);
            assertThat(log.position()).contains("p0:8");
            assertThat(log.fabricBlockHeight()).isEqualTo(3);
            for (int n = 0; n < 8; n++) {
                assertThat(log.leafIndex(recordId(n))).hasValue(n);
                assertThat(log.commitment(n)).isEqualTo(Entries.commitment(n));
            }
            assertThat(log.leafIndex(recordId(99))).isEmpty();
            assertThat(log.head()).isEqualTo(referenceHead(8));
        }
    }

    @Test
    void recordIdsOfBothFormatsAreFoundAlsoAfterReopening() {
        LedgerEntry legacy = new LedgerEntry(Entries.legacyRecordId(1), Entries.commitment(100), "ADT^A01",
                entry(0).source(), entry(0).receivedAt(), java.util.Optional.empty());
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(List.of(legacy), "old", 1);
            log.append(range(0, 2), "new", 2);
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.leafIndex(Entries.legacyRecordId(1))).hasValue(0);
            assertThat(log.leafIndex(recordId(1))).hasValue(2);
            assertThat(log.leafIndex(Entries.legacyRecordId(2))).isEmpty();
        }
    }

    @Test
    void anotherCommitmentForALoggedRecordIsAConflictAndTheFirstStands() {
        LedgerEntry forged = entry(1, Entries.commitment(77));
        LedgerEntry forgedNew = entry(9, Entries.commitment(78));
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 3), "a", 1);

            AppendResult result = log.append(List.of(forged, entry(1), entry(9), forgedNew, entry(3)), "b", 2);

            assertThat(result.appended()).isEqualTo(2);
            assertThat(result.skipped()).isEqualTo(1);
            assertThat(result.conflicts()).containsExactly(recordId(1), recordId(9));
            assertThat(log.commitment(1)).isEqualTo(Entries.commitment(1));
            assertThat(log.commitment(log.leafIndex(recordId(9)).getAsLong())).isEqualTo(Entries.commitment(9));
            try (MerkleLog reference = MerkleLogs.inMemory()) {
                for (long n : new long[] {0, 1, 2, 9, 3}) {
                    reference.append(Entries.commitment(n).toBytes());
                }
                assertThat(log.head()).isEqualTo(reference.head());
            }
        }
    }

    @Test
    void eachLeafKnowsThePositionOfTheAppendThatAddedItAlsoAfterReopening() {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 3), "fabric:5:tx-a", 6);
            log.append(range(0, 3), "fabric:6:tx-b", 7);
            log.append(range(3, 4), "fabric:7:tx-c", 8);
            for (int i = 0; i < 200; i++) {
                log.append(range(4 + i, 5 + i), "fabric:" + (10 + i) + ":tx-" + i, 11 + i);
            }
            assertThat(log.positionOf(0)).contains("fabric:5:tx-a");
            assertThat(log.positionOf(2)).contains("fabric:5:tx-a");
            assertThat(log.positionOf(3)).contains("fabric:7:tx-c");
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.positionOf(2)).contains("fabric:5:tx-a");
            assertThat(log.positionOf(3)).contains("fabric:7:tx-c");
            assertThat(log.positionOf(103)).contains("fabric:109:tx-99");
            assertThat(log.positionOf(203)).contains("fabric:209:tx-199");
            assertThat(log.positionOf(204)).isEmpty();
            log.append(range(204, 205), "after reopen " + "x".repeat(5000), 300);
            assertThat(log.positionOf(204)).contains("after reopen " + "x".repeat(5000));
        }
    }

    @Test
    void aBatchOfOnlyKnownRecordsStillAdvancesThePosition() {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 3), "a", 1);
            log.append(range(0, 3), "b", 2);
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.size()).isEqualTo(3);
            assertThat(log.position()).contains("b");
            assertThat(log.fabricBlockHeight()).isEqualTo(2);
        }
    }

    @Test
    void reopenRestoresIndexPositionAndHeadAndAReplayAddsNothing() {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 100), "offset 100\nwith any bytes ü", 7);
            log.append(range(100, 250), "offset 250", 8);
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.size()).isEqualTo(250);
            assertThat(log.position()).contains("offset 250");
            assertThat(log.leafIndex(recordId(249))).hasValue(249);
            AppendResult replay = log.append(range(0, 250), "offset 250");
            assertThat(replay.appended()).isZero();
            assertThat(log.head()).isEqualTo(referenceHead(250));
        }
    }

    @Test
    void aCrashBeforeTheMerkleFlushLosesTheBatchAndItsPositionSoTheReplayAddsItOnce() throws Exception {
        Path merkleCheckpoint = dir.resolve("merkle").resolve("checkpoint");
        Path saved = Files.createTempFile("checkpoint", ".saved");
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 10), "10", 1);
            Files.copy(merkleCheckpoint, saved, StandardCopyOption.REPLACE_EXISTING);
            log.append(range(10, 20), "20", 2);
        }
        // Commitments, journal batch and level files of the second append are on disk, the Merkle checkpoint not.
        Files.copy(saved, merkleCheckpoint, StandardCopyOption.REPLACE_EXISTING);
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.size()).isEqualTo(10);
            assertThat(log.position()).contains("10");
            assertThat(log.fabricBlockHeight()).isEqualTo(1);
            assertThat(log.leafIndex(recordId(15))).isEmpty();
            // The feed resumes from "10" and sends 5..20 (an overlapping replay).
            AppendResult replay = log.append(range(5, 20), "20", 2);
            assertThat(replay.appended()).isEqualTo(10);
            assertThat(log.head()).isEqualTo(referenceHead(20));
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.head()).isEqualTo(referenceHead(20));
            assertThat(log.position()).contains("20");
        }
        Files.delete(saved);
    }

    @Test
    void aTornJournalTailIsCutOff() throws Exception {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 10), "10", 1);
        }
        Files.writeString(dir.resolve("journal"), Entries.recordId(10).value() + "\nC 11 1 ab", StandardOpenOption.APPEND);
        long before = Files.size(dir.resolve("journal"));
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.size()).isEqualTo(10);
            assertThat(Files.size(dir.resolve("journal"))).isLessThan(before);
            log.append(range(10, 12), "12", 2);
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.head()).isEqualTo(referenceHead(12));
        }
    }

    @Test
    void aJournalCutBelowTheMerkleLogIsCorruptionNotACrash() throws Exception {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 10), "10", 1);
            log.append(range(10, 20), "20", 2);
        }
        Path journal = dir.resolve("journal");
        String text = Files.readString(journal);
        Files.writeString(journal, text.substring(0, text.indexOf("C 10 ") + 1 + text.substring(text.indexOf("C 10 ")).indexOf('\n')));
        assertThatThrownBy(() -> AnchoringLog.open(dir))
                .isInstanceOf(BridgeStateCorruptedException.class)
                .hasMessageContaining("ends at size 10 but the Merkle log holds 20");
    }

    @Test
    void missingCommitmentsAreCorruption() throws Exception {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 10), "10", 1);
        }
        try (FileChannel channel = FileChannel.open(dir.resolve("commitments"), StandardOpenOption.WRITE)) {
            channel.truncate(9 * 32);
        }
        assertThatThrownBy(() -> AnchoringLog.open(dir)).isInstanceOf(BridgeStateCorruptedException.class);
    }

    @Test
    void aDamagedCommitmentIsNeverServed() throws Exception {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            log.append(range(0, 10), "10", 1);
        }
        try (FileChannel channel = FileChannel.open(dir.resolve("commitments"), StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 5 * 32);
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.commitment(4)).isEqualTo(Entries.commitment(4));
            assertThatThrownBy(() -> log.commitment(5)).isInstanceOf(BridgeStateCorruptedException.class);
        }
    }

    @Test
    void theIndexHoldsManyRecords() {
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            for (int batch = 0; batch < 20; batch++) {
                log.append(range(batch * 5_000L, (batch + 1) * 5_000L), "b" + batch, batch);
            }
        }
        try (AnchoringLog log = AnchoringLog.open(dir)) {
            assertThat(log.size()).isEqualTo(100_000);
            for (int n = 0; n < 100_000; n += 997) {
                assertThat(log.leafIndex(recordId(n))).hasValue(n);
            }
            assertThat(log.append(range(0, 100_000), "again").appended()).isZero();
        }
    }

    static TreeHead referenceHead(long n) {
        try (MerkleLog reference = MerkleLogs.inMemory()) {
            for (long i = 0; i < n; i++) {
                reference.append(Entries.commitment(i).toBytes());
            }
            return reference.head();
        }
    }
}
