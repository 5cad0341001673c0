package io.caduceus.ingest;

import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.ingest.IntakeRefusedException.Reason;
import io.caduceus.ingest.vault.RecordConflictException;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The core use case, the same whichever edge a record came in by: make it durable in the encrypted vault under a
 * fresh salt, and describe it for the ledgers by a hiding commitment, the patient's pseudonym and routing facts,
 * nothing that identifies anyone. The caller publishes the entry; the record is durable when this returns.
 *
 * <p>A submission under an id already stored is a resend when it is the same message ({@link Submission.Resend}):
 * nothing new is stored and the entry is rebuilt from the stored record, with its salt, so the ledger receives the
 * identical entry and records it once. Two identical submissions racing each other end the same way: the loser of
 * the vault's put finds the winner's record.
 */
public final class RecordIntake {

    /** Vault owner for content about no patient, so it still has a data key of its own. */
    public static final String NO_PATIENT = "pp0_no-patient";
    /** What the vault stores: the canonical FHIR content. */
    public static final String CONTENT_TYPE = "application/fhir+json";

    /** What a submission became. */
    public record Accepted(RecordId recordId, LedgerEntry entry, boolean alreadyStored) {
    }

    private final RecordVault vault;
    private final PatientPseudonymizer pseudonymizer;
    private final LongConsumer vaultWriteNanos;

    /** @param vaultWriteNanos told how long each new record's vault write took (a metric) */
    public RecordIntake(RecordVault vault, PatientPseudonymizer pseudonymizer, LongConsumer vaultWriteNanos) {
        this.vault = vault;
        this.pseudonymizer = pseudonymizer;
        this.vaultWriteNanos = vaultWriteNanos;
    }

    /**
     * Stores the submission unless it is already stored, and returns its ledger entry.
     *
     * @throws IntakeRefusedException for content that must not be stored, for a reason the sender is told
     * @throws io.caduceus.ingest.vault.VaultException when the vault cannot serve (retriable or not, as it says)
     */
    public Accepted accept(Submission submission) throws IntakeRefusedException {
        RecordId recordId = submission.recordId();
        try {
            Optional<Stored> stored = find(submission.recordIds());
            if (stored.isPresent()) {
                recordId = stored.get().id();
                requireSameMessage(stored.get().record(), submission, recordId);
                return accepted(recordId, stored.get().record(), submission, true);
            }
            String owner = pseudonymOf(submission).map(PatientPseudonym::value).orElse(NO_PATIENT);
            if (submission.idsStayWithPatient()) {
                requireIdsOfThisPatient(submission.lookupKeys(), owner, recordId);
            }
            VaultRecord record = new VaultRecord(recordId.value(), owner, Salt.random().toBytes(), CONTENT_TYPE,
                    submission.canonicalContent(), submission.original(), submission.receivedAt())
                    .withLookupKeys(submission.lookupKeys());
            try {
                long started = System.nanoTime();
                vault.put(record);
                vaultWriteNanos.accept(System.nanoTime() - started);
                return accepted(recordId, record, submission, false);
            } catch (RecordConflictException e) {
                // Stored a moment ago by a submission racing this one; only the salt differs if it is the same.
                VaultRecord winner = vault.get(recordId.value()).orElseThrow(() -> e);
                requireSameMessage(winner, submission, recordId);
                return accepted(recordId, winner, submission, true);
            }
        } catch (RecordErasedException e) {
            // New content about an erased patient is stored under their next key; only this very message is refused.
            throw new IntakeRefusedException(Reason.ERASED_BEFORE, recordId);
        }
    }

    private record Stored(RecordId id, VaultRecord record) {
    }

    private Optional<Stored> find(List<RecordId> ids) {
        for (RecordId id : ids) {
            Optional<VaultRecord> record = vault.get(id.value());
            if (record.isPresent()) {
                return Optional.of(new Stored(id, record.get()));
            }
        }
        return Optional.empty();
    }

    private static void requireSameMessage(VaultRecord stored, Submission submission, RecordId recordId)
            throws IntakeRefusedException {
        boolean same = switch (submission.resend()) {
            case SAME_BYTES -> Arrays.equals(stored.originalMessage(), submission.original());
            case SAME_CONTENT -> Arrays.equals(stored.canonicalBundle(), submission.canonicalContent());
        };
        if (!same) {
            throw new IntakeRefusedException(Reason.ID_USED_FOR_OTHER_CONTENT, recordId);
        }
    }

    private Optional<PatientPseudonym> pseudonymOf(Submission submission) throws IntakeRefusedException {
        if (submission.patient().isEmpty()) {
            return Optional.empty();
        }
        Submission.PatientIdentifier id = submission.patient().get();
        try {
            return Optional.of(pseudonymizer.pseudonymize(id.system(), id.value()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IntakeRefusedException(Reason.PATIENT_IDENTIFIER_UNUSABLE, submission.recordId());
        }
    }

    /**
     * A resource id stays with the patient it was first stored for: reads serve the newest version of an id, so a
     * write of another patient's content under an existing id would shadow the first patient's data for every reader.
     * Erased records are no longer found, so an erased patient's ids are free again.
     */
    private void requireIdsOfThisPatient(List<String> lookupKeys, String owner, RecordId recordId)
            throws IntakeRefusedException {
        for (String key : lookupKeys) {
            List<String> existing = vault.findRecords(key);
            if (existing.isEmpty()) {
                continue;
            }
            Optional<VaultRecord> newest;
            try {
                newest = vault.get(existing.get(existing.size() - 1));
            } catch (RecordErasedException e) {
                continue;
            }
            if (newest.isPresent() && !newest.get().patientPseudonym().equals(owner)) {
                throw new IntakeRefusedException(Reason.RESOURCE_ID_OF_ANOTHER_PATIENT, recordId);
            }
        }
    }

    private static Accepted accepted(RecordId recordId, VaultRecord record, Submission submission, boolean already) {
        Digest commitment = HidingCommitments.commit(Salt.of(record.salt()), record.canonicalBundle());
        Optional<PatientPseudonym> pseudonym = NO_PATIENT.equals(record.patientPseudonym())
                ? Optional.empty() : Optional.of(new PatientPseudonym(record.patientPseudonym()));
        LedgerEntry entry = new LedgerEntry(recordId, commitment, submission.messageType(), submission.source(),
                record.receivedAt(), pseudonym);
        return new Accepted(recordId, entry, already);
    }
}
