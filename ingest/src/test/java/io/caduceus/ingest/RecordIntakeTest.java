package io.caduceus.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.ingest.IntakeRefusedException.Reason;
import io.caduceus.ingest.Submission.PatientIdentifier;
import io.caduceus.ingest.Submission.Resend;
import io.caduceus.ingest.vault.VaultRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecordIntakeTest {

    private static final RecordId ID = new RecordId("r2_" + "1".repeat(32));
    private static final RecordId FORMAT_ONE = new RecordId("r_" + "2".repeat(32));
    private static final String NAME = "ZZFAKE^Hermione";

    private final InMemoryRecordVault vault = new InMemoryRecordVault();
    private final PatientPseudonymizer pseudonymizer = new PatientPseudonymizer(new byte[32]);
    private final List<Long> writes = new ArrayList<>();
    private final RecordIntake intake = new RecordIntake(vault, pseudonymizer, writes::add);

    private static Submission submission(List<RecordId> ids, String content, String original, Resend resend,
                                         Optional<PatientIdentifier> patient, List<String> keys, boolean idsStay) {
        return new Submission(ids, new SourceSystem("HIS", "GENERAL"), "ADT^A01", patient,
                content.getBytes(StandardCharsets.UTF_8), original.getBytes(StandardCharsets.UTF_8),
                Instant.parse("2026-12-07T10:00:00Z"), keys, resend, idsStay);
    }

    private static Submission hl7(String content, String original) {
        return submission(List.of(ID), content, original, Resend.SAME_BYTES,
                Optional.of(new PatientIdentifier("urn:mrn", "12345")), List.of("key-a"), false);
    }

    @Test
    void aNewSubmissionIsStoredAndDescribedByACommitmentToItsContentAndAPseudonym() throws Exception {
        RecordIntake.Accepted accepted = intake.accept(hl7("{\"name\":\"" + NAME + "\"}", "MSH|" + NAME));
        assertThat(accepted.alreadyStored()).isFalse();
        VaultRecord stored = vault.records.get(ID.value());
        assertThat(stored.patientPseudonym()).isEqualTo(pseudonymizer.pseudonymize("urn:mrn", "12345").value());
        assertThat(vault.findRecords("key-a")).containsExactly(ID.value());
        assertThat(accepted.entry().commitment())
                .isEqualTo(HidingCommitments.commit(Salt.of(stored.salt()), stored.canonicalBundle()));
        assertThat(accepted.entry().patientPseudonym()).map(p -> p.value()).contains(stored.patientPseudonym());
        assertThat(accepted.entry().toJson()).doesNotContain(NAME).doesNotContain("12345");
        assertThat(writes).hasSize(1);
    }

    @Test
    void aResendOfTheSameBytesStoresNothingAndGetsTheIdenticalEntry() throws Exception {
        RecordIntake.Accepted first = intake.accept(hl7("{}", "MSH|1"));
        RecordIntake.Accepted again = intake.accept(hl7("{}", "MSH|1"));
        assertThat(again.alreadyStored()).isTrue();
        assertThat(again.entry()).isEqualTo(first.entry());
        assertThat(vault.puts).isEqualTo(1);
    }

    @Test
    void otherBytesUnderAnHl7IdAreAnotherMessageReusingTheId() throws Exception {
        intake.accept(hl7("{}", "MSH|1"));
        assertThatThrownBy(() -> intake.accept(hl7("{}", "MSH|1 changed")))
                .isInstanceOfSatisfying(IntakeRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.ID_USED_FOR_OTHER_CONTENT))
                .hasMessageNotContaining("MSH");
    }

    @Test
    void contentIdentifiedByItsCanonicalFormIsTheSameWhateverItsOriginalBytes() throws Exception {
        Submission first = submission(List.of(ID), "{\"a\":1}", "{ \"a\": 1 }", Resend.SAME_CONTENT,
                Optional.empty(), List.of(), true);
        Submission reformatted = submission(List.of(ID), "{\"a\":1}", "{\"a\":1}", Resend.SAME_CONTENT,
                Optional.empty(), List.of(), true);
        intake.accept(first);
        assertThat(intake.accept(reformatted).alreadyStored()).isTrue();
        assertThat(vault.records.get(ID.value()).patientPseudonym()).isEqualTo(RecordIntake.NO_PATIENT);
        assertThat(intake.accept(reformatted).entry().patientPseudonym()).isEmpty();
    }

    @Test
    void aRecordStoredUnderAnEarlierIdFormatIsFoundAndKeepsThatId() throws Exception {
        VaultRecord old = new VaultRecord(FORMAT_ONE.value(), RecordIntake.NO_PATIENT, Salt.random().toBytes(),
                RecordIntake.CONTENT_TYPE, "{}".getBytes(StandardCharsets.UTF_8),
                "MSH|1".getBytes(StandardCharsets.UTF_8), Instant.parse("2020-01-01T00:00:00Z"));
        vault.put(old);
        RecordIntake.Accepted accepted = intake.accept(submission(List.of(ID, FORMAT_ONE), "{}", "MSH|1",
                Resend.SAME_BYTES, Optional.empty(), List.of(), false));
        assertThat(accepted.recordId()).isEqualTo(FORMAT_ONE);
        assertThat(accepted.entry().receivedAt()).as("the record's own time").isEqualTo(old.receivedAt());
        assertThat(vault.records).doesNotContainKey(ID.value());
    }

    @Test
    void anIdenticalSubmissionThatWinsARaceIsUsedNotRefused() throws Exception {
        Submission submission = hl7("{}", "MSH|1");
        vault.racing = new VaultRecord(ID.value(), pseudonymizer.pseudonymize("urn:mrn", "12345").value(),
                Salt.random().toBytes(), RecordIntake.CONTENT_TYPE, "{}".getBytes(StandardCharsets.UTF_8),
                "MSH|1".getBytes(StandardCharsets.UTF_8), Instant.parse("2026-12-07T10:00:00Z"));
        RecordIntake.Accepted accepted = intake.accept(submission);
        assertThat(accepted.alreadyStored()).isTrue();
        VaultRecord winner = vault.records.get(ID.value());
        assertThat(accepted.entry().commitment()).as("the winner's salt")
                .isEqualTo(HidingCommitments.commit(Salt.of(winner.salt()), winner.canonicalBundle()));
    }

    @Test
    void aDifferentSubmissionThatWinsARaceMakesThisOneRefused() {
        vault.racing = new VaultRecord(ID.value(), RecordIntake.NO_PATIENT, Salt.random().toBytes(),
                RecordIntake.CONTENT_TYPE, "{}".getBytes(StandardCharsets.UTF_8),
                "MSH|other".getBytes(StandardCharsets.UTF_8), Instant.parse("2026-12-07T10:00:00Z"));
        assertThatThrownBy(() -> intake.accept(hl7("{}", "MSH|1"))).isInstanceOfSatisfying(
                IntakeRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ID_USED_FOR_OTHER_CONTENT));
    }

    @Test
    void aMessageErasedWithItsPatientIsNotStoredAgainButNewContentAboutThemIs() throws Exception {
        intake.accept(hl7("{}", "MSH|1"));
        vault.erasePatient(pseudonymizer.pseudonymize("urn:mrn", "12345").value());
        assertThatThrownBy(() -> intake.accept(hl7("{}", "MSH|1"))).isInstanceOfSatisfying(
                IntakeRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ERASED_BEFORE));
    }

    @Test
    void aResourceIdHeldByAnotherPatientRefusesContentThatKeepsIdsWithTheirPatient() throws Exception {
        intake.accept(submission(List.of(ID), "{\"p\":1}", "x", Resend.SAME_CONTENT,
                Optional.of(new PatientIdentifier("urn:mrn", "1")), List.of("Patient/7"), true));
        RecordId other = new RecordId("r2_" + "3".repeat(32));
        Submission intruder = submission(List.of(other), "{\"p\":2}", "y", Resend.SAME_CONTENT,
                Optional.of(new PatientIdentifier("urn:mrn", "2")), List.of("Patient/7"), true);
        assertThatThrownBy(() -> intake.accept(intruder)).isInstanceOfSatisfying(IntakeRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.RESOURCE_ID_OF_ANOTHER_PATIENT));
        Submission sameIdsAllowed = submission(List.of(other), "{\"p\":2}", "y", Resend.SAME_CONTENT,
                Optional.of(new PatientIdentifier("urn:mrn", "2")), List.of("Patient/7"), false);
        assertThat(intake.accept(sameIdsAllowed).alreadyStored()).as("the guard is the edge's choice").isFalse();
    }

    @Test
    void aBlankPatientIdentifierIsRefusedNotStoredAsNoPatient() {
        assertThatThrownBy(() -> intake.accept(submission(List.of(ID), "{}", "x", Resend.SAME_BYTES,
                Optional.of(new PatientIdentifier("urn:mrn", " ")), List.of(), false)))
                .isInstanceOfSatisfying(IntakeRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PATIENT_IDENTIFIER_UNUSABLE));
        assertThat(vault.records).isEmpty();
    }
}
