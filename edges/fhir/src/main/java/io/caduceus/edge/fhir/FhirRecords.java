package io.caduceus.edge.fhir;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.ingest.IntakeRefusedException;
import io.caduceus.ingest.RecordIntake;
import io.caduceus.ingest.Submission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR edge of {@link RecordIntake}: accepted FHIR content becomes a record exactly as an HL7 v2 message does
 * (canonical JSON in the encrypted vault under a fresh salt, a ledger entry of commitment, pseudonym and routing
 * facts), with resource ids that stay with their patient.
 *
 * <p>The record id is {@link RecordIds#forMessage} of source {@code <client id>^fhir} and control id
 * {@code fhir-<interaction>:<SHA-256 of the canonical content>}: the same client sending the same content for the same
 * interaction again (a retry after a 503, say) lands on the record already stored, whose salt and commitment are
 * reused, so the ledger receives an identical entry and records it once. The same content from another client is
 * another record, as it would be for two HL7 senders.
 */
final class FhirRecords {

    static final String CONTENT_TYPE = RecordIntake.CONTENT_TYPE;
    /** Vault owner for content about no identifiable patient, so it still has a data key of its own (as HL7 does). */
    static final String NO_PATIENT = RecordIntake.NO_PATIENT;

    private final PatientPseudonymizer pseudonymizer;
    private final RecordIds recordIds;
    private final RecordIntake intake;

    FhirRecords(RecordVault vault, PatientPseudonymizer pseudonymizer, RecordIds recordIds) {
        this.pseudonymizer = pseudonymizer;
        this.recordIds = recordIds;
        this.intake = new RecordIntake(vault, pseudonymizer, nanos -> { });
    }

    static SourceSystem source(String clientId) {
        return new SourceSystem(clientId.length() > 180 ? clientId.substring(0, 180) : clientId, "fhir");
    }

    RecordId recordId(SourceSystem source, String interaction, byte[] canonical) {
        return recordIds.forMessage(new MessageId(source, "fhir-" + interaction + ":" + Sha256.digest(canonical).hex()));
    }

    /**
     * Stores the record unless it is already there, and returns the ledger entry to publish. Durable when it returns.
     */
    LedgerEntry store(RecordId recordId, SourceSystem source, String messageType, Resource resource, byte[] canonical,
            byte[] original, Instant receivedAt, List<String> lookupKeys) throws FhirRejection {
        Submission submission = new Submission(List.of(recordId), source, messageType,
                patientIdentifier(resource).map(id -> new Submission.PatientIdentifier(id.getSystem(), id.getValue())),
                canonical, original, receivedAt, lookupKeys, Submission.Resend.SAME_CONTENT, true);
        try {
            return intake.accept(submission).entry();
        } catch (IntakeRefusedException e) {
            if (e.reason() == IntakeRefusedException.Reason.ID_USED_FOR_OTHER_CONTENT) {
                // The id is the content's SHA-256: other content under it would take a collision.
                throw new IllegalStateException("record " + recordId + " holds different content");
            }
            throw switch (e.reason()) {
                // The same client sent this very content before, and it was erased on request with its patient: its
                // record id (and ledger entry) are spent. New content about the patient is stored as usual.
                case ERASED_BEFORE -> FhirRejection.refused(409, IssueType.CONFLICT,
                        "this content was stored before and erased on request; it is not stored again");
                case RESOURCE_ID_OF_ANOTHER_PATIENT -> FhirRejection.refused(409, IssueType.CONFLICT,
                        "a resource with this id is already stored for another patient; ids cannot be reused for someone else");
                case ID_USED_FOR_OTHER_CONTENT, PATIENT_IDENTIFIER_UNUSABLE -> FhirRejection.refused(422, IssueType.REQUIRED,
                        "the patient identifier has no usable value");
            };
        }
    }

    /** The pseudonym the vault keeps this content's patient under, if it names one by identifier. */
    Optional<String> pseudonymOf(Resource resource) {
        try {
            return patientIdentifier(resource).map(id -> pseudonymizer.pseudonymize(id.getSystem(), id.getValue()).value());
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    /**
     * The identifier the patient pseudonym is derived from: the first valued identifier of the first Patient (the
     * resource itself or an entry of the bundle) that has one; failing that, the first valued identifier of a
     * reference to a Patient. Empty when the content names no patient by identifier.
     */
    static Optional<Identifier> patientIdentifier(Resource resource) {
        List<Resource> resources = new ArrayList<>();
        resources.add(resource);
        if (resource instanceof Bundle bundle) {
            bundle.getEntry().stream().filter(Bundle.BundleEntryComponent::hasResource).forEach(e -> resources.add(e.getResource()));
        }
        for (Resource r : resources) {
            if (r instanceof Patient patient) {
                Optional<Identifier> id = patient.getIdentifier().stream().filter(Identifier::hasValue).findFirst();
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        ca.uhn.fhir.util.FhirTerser terser = ca.uhn.fhir.context.FhirContext.forR4Cached().newTerser();
        for (Resource r : resources) {
            if (r instanceof Bundle) {
                continue;
            }
            for (Reference reference : terser.getAllPopulatedChildElementsOfType(r, Reference.class)) {
                boolean toPatient = "Patient".equals(reference.getType())
                        || (reference.hasReference() && reference.getReference().startsWith("Patient/"));
                if (toPatient && reference.hasIdentifier() && reference.getIdentifier().hasValue()) {
                    return Optional.of(reference.getIdentifier());
                }
            }
        }
        return Optional.empty();
    }

    /** A server-assigned logical id for the entry at {@code index} of a bundle record: stable for the record. */
    static String entryId(RecordId recordId, int index) {
        return Sha256.digest(("caduceus.fhir.entry-id.v1\0" + recordId.value() + "\0" + index)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex().substring(0, 32);
    }

    /** The logical id of a created resource: the hex part of its record id. */
    static String logicalId(RecordId recordId) {
        return recordId.hex();
    }
}
