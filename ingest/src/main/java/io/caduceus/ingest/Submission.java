package io.caduceus.ingest;

import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an edge (MLLP, FHIR, a batch file, the poller of a legacy server) hands over to become a record.
 *
 * @param recordIds         the record's id, then ids it may have been stored under by earlier versions (format 1);
 *                          the first is the one a new record gets
 * @param source            the sender, as the ledger entry names it
 * @param messageType       the ledger entry's message type ({@code ADT^A01}, {@code fhir:Patient:create})
 * @param patient           the identifier the patient pseudonym is made of; empty for content about no patient
 * @param canonicalContent  the FHIR content as RFC 8785 canonical JSON: what the commitment commits to
 * @param original          the bytes as received, kept for reprocessing and audit
 * @param receivedAt        when the edge received them
 * @param lookupKeys        keys the record is found by (keyed resource ids)
 * @param resend            what makes a second submission under the same id the same message
 * @param idsStayWithPatient whether a lookup key already held by another patient's record refuses this one
 */
public record Submission(List<RecordId> recordIds, SourceSystem source, String messageType,
                         Optional<PatientIdentifier> patient, byte[] canonicalContent, byte[] original,
                         Instant receivedAt, List<String> lookupKeys, Resend resend, boolean idsStayWithPatient) {

    /** An identifier of the patient the content is about, as the sender gave it. */
    public record PatientIdentifier(String system, String value) {
    }

    /** When a submission under an id already stored is the same message sent again. */
    public enum Resend {
        /**
         * The same bytes: the id names the message (HL7's sender and MSH-10), so other bytes under it are another
         * message reusing the id, which is refused.
         */
        SAME_BYTES,
        /** The same canonical content: the id is derived from the content (FHIR), so its form may differ. */
        SAME_CONTENT
    }

    public Submission {
        recordIds = List.copyOf(recordIds);
        if (recordIds.isEmpty()) {
            throw new IllegalArgumentException("a submission needs a record id");
        }
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(messageType, "messageType");
        Objects.requireNonNull(patient, "patient");
        Objects.requireNonNull(canonicalContent, "canonicalContent");
        Objects.requireNonNull(original, "original");
        Objects.requireNonNull(receivedAt, "receivedAt");
        lookupKeys = List.copyOf(lookupKeys);
        Objects.requireNonNull(resend, "resend");
    }

    /** The id a new record gets. */
    public RecordId recordId() {
        return recordIds.get(0);
    }

    @Override
    public String toString() {
        // Submissions carry patient identifiers and content: only ids and sizes are ever shown.
        return "Submission[" + recordId().value() + ", " + messageType + ", " + canonicalContent.length + " bytes]";
    }
}
