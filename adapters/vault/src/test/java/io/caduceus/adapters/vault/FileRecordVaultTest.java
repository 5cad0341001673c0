package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultException;
import io.caduceus.ingest.vault.VaultRecord;
import static io.caduceus.adapters.vault.TestRecords.FAKE_NAME;
import static io.caduceus.adapters.vault.TestRecords.containsBytes;
import static io.caduceus.adapters.vault.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRecordVaultTest {

    @TempDir
    Path dir;

    private MasterKey master;
    private FileRecordVault vault;

    @BeforeEach
    void open() {
        master = TestRecords.masterKey();
        vault = FileRecordVault.open(dir, master);
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private void reopen() {
        vault.close();
        vault = FileRecordVault.open(dir, master);
    }

    @Test
    void roundTripSurvivesReopen() {
        VaultRecord r = record("rec-1", "pat-A");
        vault.put(r);

        assertThat(vault.contains("rec-1")).isTrue();
        assertThat(vault.get("rec-1")).contains(r);
        assertThat(vault.get("nope")).isEmpty();
        assertThat(vault.contains("nope")).isFalse();

        reopen();
        VaultRecord back = vault.get("rec-1").orElseThrow();
        assertThat(back).isEqualTo(r);
        assertThat(back.salt()).isEqualTo(r.salt());
        assertThat(back.canonicalBundle()).isEqualTo(r.canonicalBundle());
        assertThat(back.originalMessage()).isEqualTo(r.originalMessage());
        assertThat(back.receivedAt()).isEqualTo(r.receivedAt());
        assertThat(back.contentType()).isEqualTo("application/fhir+json");
    }

    @Test
    void countsRecordsAndQuarantinedMessagesAlsoAfterReopenAndRelease() {
        assertThat(vault.recordCount()).isZero();
        assertThat(vault.quarantinedCount()).isZero();
        vault.put(record("rec-1", "pat-A"));
        vault.put(record("rec-2", "pat-B"));
        QuarantinedMessage kept = vault.quarantine("msg-1", "bad", new byte[] {1}, Instant.now());
        vault.quarantine("msg-2", "bad", new byte[] {2}, Instant.now());
        assertThat(vault.recordCount()).isEqualTo(2);
        assertThat(vault.quarantinedCount()).isEqualTo(2);
        assertThat(vault.releaseQuarantined(kept.quarantineId())).isTrue();
        reopen();
        assertThat(vault.recordCount()).isEqualTo(2);
        assertThat(vault.quarantinedCount()).isEqualTo(1);
    }

    @Test
    void nothingIsStoredInClear() throws IOException {
        vault.put(record("rec-1", "pat-A"));
        vault.quarantine("msg-9", "PID-5 is " + FAKE_NAME, FAKE_NAME.getBytes(StandardCharsets.UTF_8), Instant.now());
        vault.close();
        byte[] needle = "Quillfeather".getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(containsBytes(Files.readAllBytes(f), needle)).as(f.toString()).isFalse();
            }
        }
        vault = FileRecordVault.open(dir, master);
    }

    @Test
    void ciphertextMovedUnderAnotherIdFailsAuthentication() throws IOException {
        // Same sizes, so the two entries can be swapped byte for byte with valid checksums: only the AAD catches it.
        vault.put(record("rec-A", "pat-A", "{\"n\":\"" + FAKE_NAME + "-1\"}"));
        vault.put(record("rec-B", "pat-A", "{\"n\":\"" + FAKE_NAME + "-2\"}"));
        FileRecordVault.Location a = vault.locationOf("rec-A");
        FileRecordVault.Location b = vault.locationOf("rec-B");
        assertThat(a.length()).isEqualTo(b.length());
        Path segment = vault.segmentFile(a.segment());
        vault.close();

        byte[] file = Files.readAllBytes(segment);
        int header = EntryLog.HEADER + 1 + 2 + "rec-A".length() + 2 + "pat-A".length();
        int sealedLength = a.length() - header;
        byte[] sealedA = new byte[sealedLength];
        System.arraycopy(file, (int) a.offset() + header, sealedA, 0, sealedLength);
        System.arraycopy(file, (int) b.offset() + header, file, (int) a.offset() + header, sealedLength);
        System.arraycopy(sealedA, 0, file, (int) b.offset() + header, sealedLength);
        fixChecksum(file, a);
        fixChecksum(file, b);
        Files.write(segment, file);

        vault = FileRecordVault.open(dir, master);
        assertThatThrownBy(() -> vault.get("rec-A"))
                .isInstanceOf(RecordIntegrityException.class)
                .hasMessageContaining("rec-A")
                .hasMessageContaining("authentication");
        assertThatThrownBy(() -> vault.get("rec-B")).isInstanceOf(RecordIntegrityException.class);
    }

    @Test
    void flippedByteIsDetectedByChecksumAndByAuthentication() throws IOException {
        VaultRecord r1 = record("rec-1", "pat-A");
        vault.put(r1);
        vault.put(record("rec-2", "pat-A"));
        FileRecordVault.Location one = vault.locationOf("rec-1");
        FileRecordVault.Location two = vault.locationOf("rec-2");
        Path segment = vault.segmentFile(one.segment());
        vault.close();

        byte[] file = Files.readAllBytes(segment);
        file[(int) (one.offset() + one.length() - 20)] ^= 0x01;
        file[(int) (two.offset() + two.length() - 20)] ^= 0x01;
        fixChecksum(file, two); // an attacker who recomputes the CRC still hits the GCM tag
        Files.write(segment, file);

        vault = FileRecordVault.open(dir, master);
        assertThatThrownBy(() -> vault.get("rec-1"))
                .isInstanceOf(RecordIntegrityException.class)
                .hasMessageContaining("checksum")
                .satisfies(e -> assertThat(((VaultException) e).isRetriable()).isFalse());
        assertThatThrownBy(() -> vault.get("rec-2"))
                .isInstanceOf(RecordIntegrityException.class)
                .hasMessageContaining("authentication")
                .hasMessageNotContaining(FAKE_NAME);

        // Re-delivering the message repairs a damaged record instead of failing on it forever.
        vault.put(r1);
        assertThat(vault.get("rec-1")).contains(r1);
        reopen();
        assertThat(vault.get("rec-1")).contains(r1);
    }

    @Test
    void erasureMakesRecordsUnreadableAndRemovesTheWrappedKeyFromDisk() throws IOException {
        vault.put(record("rec-1", "pat-A"));
        vault.put(record("rec-2", "pat-A"));
        VaultRecord other = record("rec-3", "pat-B");
        vault.put(other);
        byte[] wrapped = vault.wrappedKeyOf("pat-A");
        byte[] otherWrapped = vault.wrappedKeyOf("pat-B");
        Path keysFile = dir.resolve("keys.log");
        assertThat(containsBytes(Files.readAllBytes(keysFile), wrapped)).isTrue();

        vault.erasePatient("pat-A");

        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class).hasMessageContaining("rec-1");
        assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
        assertThat(vault.contains("rec-1")).isTrue();
        assertThat(vault.get("rec-3")).contains(other);
        byte[] keyStore = Files.readAllBytes(keysFile);
        assertThat(containsBytes(keyStore, wrapped)).isFalse();
        assertThat(containsBytes(keyStore, otherWrapped)).isTrue();
        assertThat(Files.exists(dir.resolve("keys.log.tmp"))).isFalse();

        // An erased record id stays refused: replaying the patient's old messages must not bring their data back.
        assertThatThrownBy(() -> vault.put(record("rec-1", "pat-A"))).isInstanceOf(RecordErasedException.class);

        reopen();
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
        assertThat(vault.get("rec-3")).contains(other);
        vault.put(record("rec-6", "pat-C"));
        assertThat(vault.get("rec-6")).isPresent();
    }

    @Test
    void aReturningPatientIsStoredAgainUnderANewKeyGeneration() throws IOException {
        vault.put(record("rec-1", "pat-A").withLookupKeys(List.of("k-patient-A")));
        byte[] firstKey = vault.wrappedKeyOf("pat-A");
        assertThat(vault.erasePatient("pat-A")).isTrue();

        VaultRecord returning = record("rec-2", "pat-A").withLookupKeys(List.of("k-patient-A"));
        vault.put(returning);
        assertThat(vault.get("rec-2")).contains(returning);
        assertThat(vault.wrappedKeyOf("pat-A")).isNotNull().isNotEqualTo(firstKey);
        assertThat(vault.findRecords("k-patient-A")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-2");
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);

        reopen();
        assertThat(vault.get("rec-2")).contains(returning);
        assertThat(vault.findRecords("k-patient-A")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-2");
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);

        // The second generation is erased alike, and a third one follows.
        assertThat(vault.erasePatient("pat-A")).isTrue();
        assertThat(vault.findRecords("k-patient-A")).isEmpty();
        vault.put(record("rec-3", "pat-A"));
        reopen();
        assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
        assertThat(vault.get("rec-3")).isPresent();
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-3");
    }

    @Test
    void erasingAPseudonymWithNothingStoredWritesNothing() throws IOException {
        vault.put(record("rec-1", "pat-A"));
        Path keysFile = dir.resolve("keys.log");
        byte[] before = Files.readAllBytes(keysFile);

        assertThat(vault.holdsPatient("pat-never-seen")).isFalse();
        assertThat(vault.holdsPatient("pat-A")).isTrue();
        assertThat(vault.erasePatient("pat-never-seen")).isFalse();
        assertThat(Files.readAllBytes(keysFile)).isEqualTo(before);

        assertThat(vault.erasePatient("pat-A")).isTrue();
        byte[] afterErasure = Files.readAllBytes(keysFile);
        assertThat(vault.holdsPatient("pat-A")).isFalse();
        assertThat(vault.erasePatient("pat-A")).as("nothing stored since the erasure").isFalse();
        assertThat(Files.readAllBytes(keysFile)).isEqualTo(afterErasure);
        reopen();
        // No tombstone for the unknown pseudonym: a first record about it is generation 0 as for anyone.
        vault.put(record("rec-2", "pat-never-seen"));
        assertThat(vault.get("rec-2")).isPresent();
    }

    @Test
    void putsRacingErasuresAreStoredUnderTheNewGenerationNeverRefused() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    vault.put(record("rec-" + thread + "-" + i, "pat-A"));
                }
                return null;
            }));
        }
        for (int i = 0; i < 20; i++) {
            vault.erasePatient("pat-A");
            Thread.sleep(2); // erasures are rare; a storm of them on one patient could outrun a put's retries
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS); // no put fails: each is stored under whichever generation was live
        }
        pool.shutdown();
        List<String> listed = vault.recordsOfPatient("pat-A");
        int readable = 0;
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 50; i++) {
                String id = "rec-" + t + "-" + i;
                assertThat(vault.contains(id)).isTrue();
                try {
                    assertThat(vault.get(id)).isPresent();
                    assertThat(listed).contains(id);
                    readable++;
                } catch (RecordErasedException e) {
                    assertThat(listed).doesNotContain(id);
                }
            }
        }
        assertThat(listed).hasSize(readable);
        reopen();
        assertThat(vault.recordsOfPatient("pat-A")).containsExactlyElementsOf(listed);
    }

    @Test
    void tornLastEntryIsCutOffOnReopen() throws IOException {
        VaultRecord r1 = record("rec-1", "pat-A");
        VaultRecord r2 = record("rec-2", "pat-B");
        vault.put(r1);
        vault.put(r2);
        vault.put(record("rec-3", "pat-A"));
        FileRecordVault.Location third = vault.locationOf("rec-3");
        Path segment = vault.segmentFile(third.segment());
        vault.close();

        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(third.offset() + third.length() / 2);
        }

        vault = FileRecordVault.open(dir, master);
        assertThat(vault.get("rec-1")).contains(r1);
        assertThat(vault.get("rec-2")).contains(r2);
        assertThat(vault.contains("rec-3")).isFalse();
        assertThat(Files.size(segment)).isEqualTo(third.offset());

        VaultRecord r4 = record("rec-4", "pat-A");
        vault.put(r4);
        reopen();
        assertThat(vault.get("rec-4")).contains(r4);
        assertThat(vault.get("rec-1")).contains(r1);
    }

    @Test
    void garbageAfterTheLastEntryIsCutOff() throws IOException {
        VaultRecord r1 = record("rec-1", "pat-A");
        vault.put(r1);
        Path segment = vault.segmentFile(vault.locationOf("rec-1").segment());
        long size = Files.size(segment);
        vault.close();
        Files.write(segment, new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7}, java.nio.file.StandardOpenOption.APPEND);

        vault = FileRecordVault.open(dir, master);
        assertThat(vault.get("rec-1")).contains(r1);
        assertThat(Files.size(segment)).isEqualTo(size);
    }

    @Test
    void concurrentPutsAreAllDurableAndReadable() throws Exception {
        vault.close();
        // Small segments so that rolling happens under load too.
        vault = FileRecordVault.open(dir, List.of(master), 256 * 1024);
        int threads = 16;
        int perThread = 150;
        // Patients shared across threads, so new-key creation races too.
        List<VaultRecord> all = ConcurrentPuts.put(vault, threads, perThread,
                (thread, i) -> record("rec-" + thread + "-" + i, "pat-" + (i % 37)), Duration.ofSeconds(120));
        assertThat(all).hasSize(threads * perThread);
        for (VaultRecord r : all) {
            assertThat(vault.get(r.recordId())).contains(r);
        }
        assertThat(vault.segmentFile(2)).exists();

        vault.close();
        vault = FileRecordVault.open(dir, List.of(master), 256 * 1024);
        for (VaultRecord r : all) {
            assertThat(vault.get(r.recordId())).contains(r);
        }
    }

    @Test
    void identicalPutIsIdempotentAndConflictingPutIsRejected() throws Exception {
        VaultRecord r = record("rec-1", "pat-A");
        vault.put(r);
        vault.put(r);
        vault.put(new VaultRecord(r.recordId(), r.patientPseudonym(), r.salt(), r.contentType(), r.canonicalBundle(),
                r.originalMessage(), r.receivedAt()));

        VaultRecord different = record("rec-1", "pat-A", "{\"patient\":\"" + FAKE_NAME + " (amended)\"}");
        assertThatThrownBy(() -> vault.put(different))
                .isInstanceOf(RecordConflictException.class)
                .hasMessageContaining("rec-1")
                .hasMessageNotContaining(FAKE_NAME)
                .satisfies(e -> assertThat(((VaultException) e).isRetriable()).isFalse());
        assertThat(vault.get("rec-1")).contains(r);

        // The same new record raced from many threads: all succeed, one copy is stored.
        VaultRecord raced = record("rec-raced", "pat-Z");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futures.add(pool.submit(() -> vault.put(raced)));
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(vault.get("rec-raced")).contains(raced);
    }

    @Test
    void quarantineRoundTripAndRelease() {
        Instant received = Instant.parse("2024-05-01T10:00:00Z");
        byte[] bytes = ("MSH|^~\\&|broken\rPID|1||" + FAKE_NAME).getBytes(StandardCharsets.ISO_8859_1);
        QuarantinedMessage q1 = vault.quarantine("msg-1", "PID-7 invalid date", bytes, received);
        QuarantinedMessage q2 = vault.quarantine("msg-2", "unparseable", new byte[] {1, 2, 3}, received.plusSeconds(1));

        assertThat(vault.listQuarantined()).containsExactly(q1, q2);
        reopen();
        QuarantinedMessage back = vault.getQuarantined(q1.quarantineId()).orElseThrow();
        assertThat(back.originalMessageId()).isEqualTo("msg-1");
        assertThat(back.reason()).isEqualTo("PID-7 invalid date");
        assertThat(back.originalBytes()).isEqualTo(bytes);
        assertThat(back.receivedAt()).isEqualTo(received);
        assertThat(back.quarantinedAt()).isEqualTo(q1.quarantinedAt());
        assertThat(back.toString()).contains("msg-1").doesNotContain(FAKE_NAME).doesNotContain("PID-7");

        assertThat(vault.releaseQuarantined(q1.quarantineId())).isTrue();
        assertThat(vault.releaseQuarantined(q1.quarantineId())).isFalse();
        assertThat(vault.getQuarantined(q1.quarantineId())).isEmpty();
        reopen();
        assertThat(vault.listQuarantined()).containsExactly(q2);
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> FileRecordVault.open(dir, master))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining("already open");
    }

    @Test
    void theIndexLivesInScratchFilesThatCloseRemoves() throws java.io.IOException {
        vault.put(record("rec-1", "pat-A"));
        Path indexFolder = dir.resolve("index");
        try (var files = java.nio.file.Files.list(indexFolder)) {
            assertThat(files.filter(f -> f.toString().endsWith(".scratch")).count()).isGreaterThanOrEqualTo(3);
        }
        vault.close();
        try (var files = java.nio.file.Files.list(indexFolder)) {
            assertThat(files.toList()).isEmpty();
        }
        vault = FileRecordVault.open(dir, master);
        assertThat(vault.get("rec-1")).isPresent();
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-1");
    }

    @Test
    void closedVaultRefusesCalls() {
        vault.close();
        assertThatThrownBy(() -> vault.put(record("rec-1", "pat-A"))).isInstanceOf(VaultException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(VaultException.class).hasMessageContaining("closed");
        vault.close(); // idempotent
    }

    @Test
    void masterKeyRotationRewrapsAndWrongKeyIsRefused() {
        VaultRecord r = record("rec-1", "pat-A");
        vault.put(r);
        vault.close();

        MasterKey next = TestRecords.masterKey();
        vault = FileRecordVault.open(dir, List.of(next, master));
        assertThat(vault.get("rec-1")).contains(r);
        vault.close();

        vault = FileRecordVault.open(dir, next); // old key no longer needed: everything was re-wrapped
        assertThat(vault.get("rec-1")).contains(r);
        vault.close();

        assertThatThrownBy(() -> FileRecordVault.open(dir, TestRecords.masterKey()))
                .isInstanceOf(VaultException.class)
                .hasMessageContaining("not given");
        vault = FileRecordVault.open(dir, next);
    }

    @Test
    void recordsAreFoundByLookupKeyAndPatientInWriteOrderAcrossReopen() {
        VaultRecord first = record("rec-1", "pat-A").withLookupKeys(List.of("k-patient", "k-encounter-1"));
        vault.put(first);
        vault.put(record("rec-2", "pat-B").withLookupKeys(List.of("k-other")));
        vault.put(record("rec-3", "pat-A").withLookupKeys(List.of("k-patient", "k-encounter-2")));
        vault.put(first); // a re-put lists nothing twice

        assertThat(vault.findRecords("k-patient")).containsExactly("rec-1", "rec-3");
        assertThat(vault.findRecords("k-encounter-2")).containsExactly("rec-3");
        assertThat(vault.findRecords("k-none")).isEmpty();
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-1", "rec-3");
        assertThat(vault.recordsOfPatient("pat-Z")).isEmpty();

        reopen();
        assertThat(vault.findRecords("k-patient")).containsExactly("rec-1", "rec-3");
        assertThat(vault.findRecords("k-other")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-1", "rec-3");
        assertThat(vault.get("rec-3")).hasValueSatisfying(r -> assertThat(r.lookupKeys()).isEmpty());
    }

    @Test
    void recordsWithoutLookupKeysAreStillListedByPatientAndReadable() {
        VaultRecord plain = record("rec-old", "pat-A");
        vault.put(plain);
        vault.put(record("rec-new", "pat-A").withLookupKeys(List.of("k")));
        reopen();
        assertThat(vault.get("rec-old")).contains(plain);
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-old", "rec-new");
        assertThat(vault.findRecords("k")).containsExactly("rec-new");
    }

    @Test
    void erasedRecordsAreNoLongerFoundAndTheirLookupKeysAreNotOnDiskInClear() throws IOException {
        vault.put(record("rec-1", "pat-A").withLookupKeys(List.of("k-recognisable-lookup")));
        vault.put(record("rec-2", "pat-B").withLookupKeys(List.of("k-recognisable-lookup")));
        assertThat(vault.findRecords("k-recognisable-lookup")).containsExactly("rec-1", "rec-2");
        for (Path segment : segments()) {
            assertThat(containsBytes(Files.readAllBytes(segment), "k-recognisable-lookup".getBytes(StandardCharsets.UTF_8)))
                    .as("lookup keys are sealed under the patient's key").isFalse();
        }
        vault.erasePatient("pat-A");
        assertThat(vault.findRecords("k-recognisable-lookup")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).isEmpty();
        reopen();
        assertThat(vault.findRecords("k-recognisable-lookup")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).isEmpty();
        assertThat(vault.contains("rec-1")).isTrue();
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
    }

    @Test
    void quarantinedMessagesOfAPatientAreErasedWithThem() {
        Instant received = Instant.parse("2024-05-01T10:00:00Z");
        QuarantinedMessage ofA = vault.quarantine("msg-1", "205 duplicate", FAKE_NAME.getBytes(StandardCharsets.UTF_8),
                received, java.util.Optional.of("pat-A"));
        QuarantinedMessage unknown = vault.quarantine("msg-2", "unparseable", new byte[] {1, 2, 3}, received);
        vault.put(record("rec-1", "pat-A"));
        assertThat(vault.listQuarantined()).containsExactly(ofA, unknown);

        assertThat(vault.erasePatient("pat-A")).isTrue();
        assertThat(vault.listQuarantined()).containsExactly(unknown);
        assertThat(vault.getQuarantined(ofA.quarantineId())).isEmpty();
        reopen();
        assertThat(vault.listQuarantined()).containsExactly(unknown);
        assertThat(vault.getQuarantined(ofA.quarantineId())).isEmpty();
    }

    @Test
    void aQuarantinedMessageOfNoKnownPatientHasAKeyOfItsOwnThatReleaseDestroys() throws IOException {
        QuarantinedMessage q = vault.quarantine("msg-1", "unparseable", FAKE_NAME.getBytes(StandardCharsets.UTF_8), Instant.now());
        String owner = FileKeyStore.quarantineOwner(q.quarantineId());
        byte[] wrapped = vault.wrappedKeyOf(owner);
        assertThat(wrapped).isNotNull();
        assertThat(vault.quarantine("msg-2", "unparseable", new byte[] {1}, Instant.now()).quarantineId()).isNotEqualTo(q.quarantineId());

        assertThat(vault.releaseQuarantined(q.quarantineId())).isTrue();
        assertThat(vault.wrappedKeyOf(owner)).isNull();
        reopen(); // opening rewrites keys.log without released keys
        assertThat(containsBytes(Files.readAllBytes(dir.resolve("keys.log")), wrapped)).isFalse();
        assertThat(vault.listQuarantined()).extracting(QuarantinedMessage::originalMessageId).containsExactly("msg-2");
    }

    @Test
    void pseudonymsInTheVaultsReservedNamespaceAreRefused() {
        String reserved = FileKeyStore.quarantineOwner("x");
        assertThatThrownBy(() -> vault.put(record("rec-1", reserved))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vault.erasePatient(reserved)).isInstanceOf(IllegalArgumentException.class);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("segments"))) {
            return files.toList();
        }
    }

    @Test
    void lookupKeysAreIndexDataNotContent() {
        VaultRecord r = record("rec-1", "pat-A");
        assertThat(r.withLookupKeys(List.of("a", "b", "a")).lookupKeys()).containsExactly("a", "b");
        assertThat(r.withLookupKeys(List.of("a"))).isEqualTo(r);
        assertThatThrownBy(() -> r.withLookupKeys(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.withLookupKeys(List.of("x".repeat(129)))).isInstanceOf(IllegalArgumentException.class);
    }

    private static void fixChecksum(byte[] file, FileRecordVault.Location at) {
        int bodyLength = at.length() - EntryLog.HEADER;
        CRC32C crc = new CRC32C();
        crc.update(file, (int) at.offset() + EntryLog.HEADER, bodyLength);
        ByteBuffer.wrap(file).putInt((int) at.offset() + 4, (int) crc.getValue());
    }
}
