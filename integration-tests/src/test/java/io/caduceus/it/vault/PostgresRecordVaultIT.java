package io.caduceus.it.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.vault.ConcurrentPuts;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.adapters.vault.PostgresRecordVault;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordIntegrityException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The PostgreSQL vault against the real devnet database, each run in its own throw-away schema. */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"postgres"})
class PostgresRecordVaultIT {

    private static final String FAKE_NAME = "ZZFAKEPATIENT^Hermione^Quillfeather";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static String url;
    private static String user;
    private static String password;
    private static String schema;

    private MasterKey master;
    private PostgresRecordVault vault;

    @BeforeAll
    static void connection() {
        url = Devnet.property("postgres.jdbc.url");
        user = Devnet.property("postgres.user");
        password = Devnet.property("postgres.password");
    }

    @BeforeEach
    void open() {
        schema = "vault_it_" + HexFormat.of().formatHex(bytes(6));
        master = MasterKey.of(bytes(32));
        vault = PostgresRecordVault.open(url, user, password, List.of(master), schema);
    }

    @AfterEach
    void closeAndDrop() throws SQLException {
        vault.close();
        sql(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
            return null;
        });
    }

    @AfterAll
    static void nothing() {
        // the devnet itself is stopped by DevnetExtension if this run started it
    }

    @Test
    void roundTripIdempotencyAndConflict() {
        VaultRecord r = record("rec-1", "pat-A", "1");
        vault.put(r);
        vault.put(r);
        assertThat(vault.contains("rec-1")).isTrue();
        assertThat(vault.get("rec-1")).contains(r);
        assertThat(vault.get("missing")).isEmpty();

        assertThatThrownBy(() -> vault.put(record("rec-1", "pat-A", "2")))
                .isInstanceOf(RecordConflictException.class)
                .hasMessageNotContaining(FAKE_NAME);

        // A second instance (another middleware node) on the same tables reads the same data.
        try (PostgresRecordVault other = PostgresRecordVault.open(url, user, password, List.of(master), schema)) {
            assertThat(other.get("rec-1")).contains(r);
        }
    }

    @Test
    void recordsAreFoundByLookupKeyAndPatientInWriteOrder() throws SQLException {
        VaultRecord first = record("rec-1", "pat-A", "1").withLookupKeys(List.of("k-patient", "k-enc-1"));
        vault.put(first);
        vault.put(record("rec-2", "pat-B", "2").withLookupKeys(List.of("k-other")));
        vault.put(record("rec-3", "pat-A", "3").withLookupKeys(List.of("k-patient")));
        vault.put(record("rec-4", "pat-A", "4"));
        vault.put(first); // a re-put lists nothing twice

        assertThat(vault.findRecords("k-patient")).containsExactly("rec-1", "rec-3");
        assertThat(vault.findRecords("k-enc-1")).containsExactly("rec-1");
        assertThat(vault.findRecords("k-none")).isEmpty();
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-1", "rec-3", "rec-4");

        vault.erasePatient("pat-A");
        assertThat(vault.findRecords("k-patient")).isEmpty();
        assertThat(vault.findRecords("k-other")).containsExactly("rec-2");
        assertThat(vault.recordsOfPatient("pat-A")).isEmpty();
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
        Integer lookupRows = sql(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                    + ".record_lookup WHERE record_id IN ('rec-1', 'rec-3')")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(lookupRows).as("the erased generation's lookup rows are deleted").isZero();

        // The patient returns: found again by the same lookup key, under the new generation only.
        vault.put(record("rec-5", "pat-A", "5").withLookupKeys(List.of("k-patient")));
        assertThat(vault.findRecords("k-patient")).containsExactly("rec-5");
        assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-5");
    }

    @Test
    void databaseHoldsNoPlaintextAndCiphertextIsBoundToItsId() throws SQLException {
        vault.put(record("rec-A", "pat-A", "1"));
        vault.put(record("rec-B", "pat-A", "2"));
        Integer leaks = sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema
                    + ".records WHERE position(convert_to('Quillfeather', 'UTF8') in sealed) > 0");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(leaks).isZero();

        sql(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE " + schema + ".records SET sealed = (SELECT sealed FROM " + schema
                        + ".records WHERE record_id = 'rec-B') WHERE record_id = 'rec-A'");
            }
            return null;
        });
        assertThatThrownBy(() -> vault.get("rec-A"))
                .isInstanceOf(RecordIntegrityException.class)
                .hasMessageContaining("rec-A");
    }

    @Test
    void concurrentPutsAreAllDurableAndReadable() throws Exception {
        int threads = 8;
        int perThread = 100;
        List<VaultRecord> all = ConcurrentPuts.put(vault, threads, perThread,
                (thread, i) -> record("rec-" + thread + "-" + i, "pat-" + (i % 23), thread + "/" + i),
                Duration.ofSeconds(180));

        try (PostgresRecordVault fresh = PostgresRecordVault.open(url, user, password, List.of(master), schema)) {
            for (VaultRecord r : all) {
                assertThat(fresh.get(r.recordId())).contains(r);
            }
        }
        Integer rows = sql(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".records")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isEqualTo(threads * perThread);
    }

    @Test
    void erasureDestroysTheKeyGenerationAndAReturningPatientIsStoredAgain() throws SQLException {
        vault.put(record("rec-1", "pat-A", "1"));
        vault.put(record("rec-2", "pat-A", "2"));
        VaultRecord kept = record("rec-3", "pat-B", "3");
        vault.put(kept);
        // Another node, which has the patient's key in its cache when the erasure happens here.
        try (PostgresRecordVault other = PostgresRecordVault.open(url, user, password, List.of(master), schema)) {
            assertThat(other.get("rec-1")).isPresent();

            assertThat(vault.holdsPatient("pat-A")).isTrue();
            assertThat(vault.erasePatient("pat-A")).isTrue();

            assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
            assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
            assertThatThrownBy(() -> other.get("rec-1")).as("the other node's cached key is checked against the key row")
                    .isInstanceOf(RecordErasedException.class);
            assertThat(vault.contains("rec-1")).isTrue();
            assertThat(vault.get("rec-3")).contains(kept);
            Boolean keyGone = sql(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT wrapped_key IS NULL AND erased_at IS NOT NULL FROM "
                        + schema + ".patient_keys WHERE patient_pseudonym = 'pat-A'");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
            assertThat(keyGone).isTrue();

            // A new record about the same pseudonym, from the node that cached the erased key: new generation.
            VaultRecord returning = record("rec-4", "pat-A", "4");
            other.put(returning);
            assertThat(vault.get("rec-4")).contains(returning);
            assertThat(other.get("rec-4")).contains(returning);
            assertThat(vault.recordsOfPatient("pat-A")).containsExactly("rec-4");
            // An erased record id stays refused (a replay must not bring the data back).
            assertThatThrownBy(() -> vault.put(record("rec-1", "pat-A", "1"))).isInstanceOf(RecordErasedException.class);
            assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
        }
        Integer generation = sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT generation FROM " + schema
                    + ".patient_keys WHERE patient_pseudonym = 'pat-A' AND wrapped_key IS NOT NULL");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(generation).isEqualTo(1);

        // Nothing stored under a pseudonym: erasing it writes nothing at all (no tombstone to pre-erase with).
        assertThat(vault.holdsPatient("pat-never-seen")).isFalse();
        assertThat(vault.erasePatient("pat-never-seen")).isFalse();
        Integer rows = sql(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                    + ".patient_keys WHERE patient_pseudonym = 'pat-never-seen'")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isZero();
        vault.put(record("rec-6", "pat-never-seen", "6"));
        assertThat(vault.get("rec-6")).isPresent();
    }

    @Test
    void quarantinedMessagesAreErasedWithTheirPatientOrReleasedWithTheirOwnKey() throws SQLException {
        Instant received = Instant.parse("2024-05-01T10:00:00Z");
        QuarantinedMessage ofA = vault.quarantine("msg-1", "205 duplicate", FAKE_NAME.getBytes(StandardCharsets.UTF_8),
                received, java.util.Optional.of("pat-A"));
        QuarantinedMessage unknown = vault.quarantine("msg-2", "unparseable", new byte[] {1, 2, 3}, received);
        assertThat(vault.listQuarantined()).extracting(QuarantinedMessage::quarantineId)
                .containsExactlyInAnyOrder(ofA.quarantineId(), unknown.quarantineId());

        assertThat(vault.erasePatient("pat-A")).isTrue();
        assertThat(vault.getQuarantined(ofA.quarantineId())).isEmpty();
        assertThat(vault.listQuarantined()).extracting(QuarantinedMessage::quarantineId).containsExactly(unknown.quarantineId());

        assertThat(vault.releaseQuarantined(unknown.quarantineId())).isTrue();
        Integer keys = sql(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema
                    + ".patient_keys WHERE patient_pseudonym LIKE '%" + unknown.quarantineId() + "'")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(keys).as("a released message's own key is deleted").isZero();
    }

    @Test
    void tablesFromBeforeKeyGenerationsAreMigratedInPlace() throws SQLException {
        VaultRecord live = record("rec-1", "pat-A", "1").withLookupKeys(List.of("k-a"));
        vault.put(live);
        vault.put(record("rec-2", "pat-B", "2").withLookupKeys(List.of("k-b")));
        vault.close();
        // What the older version left: no generation columns, an erased patient's row with its wrapped key NULLed.
        sql(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + schema + ".patient_keys DROP COLUMN generation");
                s.execute("ALTER TABLE " + schema + ".records DROP COLUMN generation");
                s.execute("DROP INDEX " + schema + ".quarantine_owner_idx");
                s.execute("ALTER TABLE " + schema + ".quarantine DROP COLUMN owner, DROP COLUMN generation");
                s.execute("UPDATE " + schema + ".patient_keys SET key_id = NULL, wrapped_key = NULL, erased_at = now()"
                        + " WHERE patient_pseudonym = 'pat-B'");
            }
            return null;
        });
        vault = PostgresRecordVault.open(url, user, password, List.of(master), schema);
        assertThat(vault.get("rec-1")).contains(live);
        assertThat(vault.findRecords("k-a")).containsExactly("rec-1");
        assertThatThrownBy(() -> vault.get("rec-2")).isInstanceOf(RecordErasedException.class);
        assertThat(vault.findRecords("k-b")).as("the older version kept erased lookup rows; they find nothing").isEmpty();
        VaultRecord returning = record("rec-3", "pat-B", "3").withLookupKeys(List.of("k-b"));
        vault.put(returning);
        assertThat(vault.get("rec-3")).contains(returning);
        assertThat(vault.findRecords("k-b")).containsExactly("rec-3");
    }

    @Test
    void quarantineRoundTripAndRelease() {
        byte[] original = ("MSH|^~\\&|broken\rPID|1||" + FAKE_NAME).getBytes(StandardCharsets.ISO_8859_1);
        Instant received = Instant.parse("2024-05-01T10:00:00Z");
        QuarantinedMessage q1 = vault.quarantine("msg-1", "PID-7 invalid", original, received);
        QuarantinedMessage q2 = vault.quarantine("msg-2", "unparseable", new byte[] {1, 2, 3}, received);

        assertThat(vault.listQuarantined()).extracting(QuarantinedMessage::quarantineId)
                .containsExactlyInAnyOrder(q1.quarantineId(), q2.quarantineId());
        QuarantinedMessage back = vault.getQuarantined(q1.quarantineId()).orElseThrow();
        assertThat(back.originalMessageId()).isEqualTo("msg-1");
        assertThat(back.reason()).isEqualTo("PID-7 invalid");
        assertThat(back.originalBytes()).isEqualTo(original);
        assertThat(back.receivedAt()).isEqualTo(received);
        assertThat(back.toString()).doesNotContain(FAKE_NAME);

        assertThat(vault.releaseQuarantined(q1.quarantineId())).isTrue();
        assertThat(vault.releaseQuarantined(q1.quarantineId())).isFalse();
        assertThat(vault.listQuarantined()).extracting(QuarantinedMessage::quarantineId).containsExactly(q2.quarantineId());
    }

    @Test
    void masterKeyRotationRewrapsOnUse() {
        VaultRecord r = record("rec-1", "pat-A", "1");
        vault.put(r);
        vault.close();
        MasterKey next = MasterKey.of(bytes(32));
        vault = PostgresRecordVault.open(url, user, password, List.of(next, master), schema);
        assertThat(vault.get("rec-1")).contains(r);
        vault.close();
        vault = PostgresRecordVault.open(url, user, password, List.of(next), schema);
        assertThat(vault.get("rec-1")).contains(r);
    }

    @Test
    void rewrapOlderKeysMovesDormantPatientsToTheNewKeySoTheOldOneCanBeRetired() {
        VaultRecord a = record("rec-1", "pat-A", "1");
        VaultRecord b = record("rec-2", "pat-B", "2");
        vault.put(a);
        vault.put(b);
        vault.close();
        MasterKey next = MasterKey.of(bytes(32));
        vault = PostgresRecordVault.open(url, user, password, List.of(next, master), schema);
        assertThat(vault.rewrapOlderKeys()).isEqualTo(2);
        assertThat(vault.rewrapOlderKeys()).isZero();
        vault.close();
        // Neither patient was read under the rotation: without the bulk re-wrap the old key would still be needed.
        vault = PostgresRecordVault.open(url, user, password, List.of(next), schema);
        assertThat(vault.get("rec-1")).contains(a);
        assertThat(vault.get("rec-2")).contains(b);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static VaultRecord record(String id, String pseudonym, String variant) {
        String bundle = "{\"resourceType\":\"Bundle\",\"patient\":\"" + FAKE_NAME + "\",\"v\":\"" + variant + "\"}";
        String hl7 = "MSH|^~\\&|LAB|HOSP|||20240101||ORU^R01|" + id + "|P|2.8\rPID|1||12345||" + FAKE_NAME + "\r";
        return new VaultRecord(id, pseudonym, bytes(VaultRecord.SALT_LENGTH), "application/fhir+json",
                bundle.getBytes(StandardCharsets.UTF_8), hl7.getBytes(StandardCharsets.ISO_8859_1),
                Instant.parse("2024-05-01T10:15:30.123456Z"));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private static <T> T sql(SqlWork<T> work) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return work.run(c);
        }
    }
}
