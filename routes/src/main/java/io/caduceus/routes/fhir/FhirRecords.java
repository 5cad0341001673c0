package io.caduceus.routes.fhir;

import io.caduceus.adapters.vault.RecordConflictException;
import io.caduceus.adapters.vault.RecordErasedException;
import io.caduceus.adapters.vault.RecordVault;
import io.caduceus.adapters.vault.VaultRecord;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.RecordIds;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Makes accepted FHIR content a record exactly as HL7 v2 ingest does: canonical JSON in the encrypted vault under a
 * fresh salt, and a ledger entry carrying only the hiding commitment, the pseudonym and routing facts.
 *
 * <p>The record id is {@link RecordIds#forMessage} of source {@code <client id>^fhir} and control id
 * {@code fhir-<interaction>:<SHA-256 of the canonical content>}: the same client sending the same content for the same
 * interaction again (a retry after a 503, say) lands on the record already stored, whose salt and commitment are
 * reused, so the ledger receives an identical entry and records it once. The same content from another client is
 * another record, as it would be for two HL7 senders.
 */
final class FhirRecords {

    static final String CONTENT_TYPE = "application/fhir+json";
    /** Vault owner for content about no identifiable patient, so it still has a data key of its own (as HL7 does). */
    static final String NO_PATIENT = "pp0_no-patient";

    private final RecordVault vault;
    private final PatientPseudonymizer pseudonymizer;
    private final RecordIds recordIds;

    FhirRecords(RecordVault vault, PatientPseudonymizer pseudonymizer, RecordIds recordIds) {
        this.vault = vault;
        this.pseudonymizer = pseudonymizer;
        this.recordIds = recordIds;
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
        try {
            Optional<VaultRecord> stored = vault.get(recordId.value());
            VaultRecord record;
            if (stored.isPresent()) {
                record = stored.get();
            } else {
                Optional<PatientPseudonym> pseudonym = patientIdentifier(resource)
                        .map(id -> pseudonymizer.pseudonymize(id.getSystem(), id.getValue()));
                String owner = pseudonym.map(PatientPseudonym::value).orElse(NO_PATIENT);
                requireSamePatient(lookupKeys, owner);
                record = new VaultRecord(recordId.value(), owner,
                        Salt.random().toBytes(), CONTENT_TYPE, canonical, original, receivedAt).withLookupKeys(lookupKeys);
                try {
                    vault.put(record);
                } catch (RecordConflictException e) {
                    // An identical request stored it a moment ago (only the salt differs): use that one.
                    record = vault.get(recordId.value()).orElseThrow(() -> e);
                }
            }
            if (!Arrays.equals(record.canonicalBundle(), canonical)) {
                // Same id, other content: only a SHA-256 collision could do this.
                throw new IllegalStateException("record " + recordId + " holds different content");
            }
            Optional<PatientPseudonym> pseudonym = NO_PATIENT.equals(record.patientPseudonym())
                    ? Optional.empty() : Optional.of(new PatientPseudonym(record.patientPseudonym()));
            return new LedgerEntry(recordId, HidingCommitments.commit(Salt.of(record.salt()), record.canonicalBundle()),
                    messageType, source, record.receivedAt(), pseudonym);
        } catch (RecordErasedException e) {
            // The same client sent this very content before, and it was erased on request with its patient: its
            // record id (and ledger entry) are spent. New content about the patient is stored as usual.
            throw FhirRejection.refused(409, IssueType.CONFLICT,
                    "this content was stored before and erased on request; it is not stored again");
        }
    }

    /**
     * A resource id stays with the patient it was first stored for. Reads serve the newest version of an id, and
     * {@code $everything} follows the Patient it finds to that patient's records: a write of another patient's content
     * (or of content naming no patient) under an existing id would shadow the first patient's data for every reader.
     * Erased records are no longer found, so an erased patient's ids are free again.
     */
    private void requireSamePatient(List<String> lookupKeys, String owner) throws FhirRejection {
        for (String key : lookupKeys) {
            List<String> existing = vault.findRecords(key);
            if (existing.isEmpty()) {
                continue;
            }
            String newest = existing.get(existing.size() - 1);
            Optional<VaultRecord> stored;
            try {
                stored = vault.get(newest);
            } catch (RecordErasedException e) {
                continue;
            }
            if (stored.isPresent() && !stored.get().patientPseudonym().equals(owner)) {
                throw FhirRejection.refused(409, IssueType.CONFLICT,
                        "a resource with this id is already stored for another patient; ids cannot be reused for someone else");
            }
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
