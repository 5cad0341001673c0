package io.caduceus.ingest;

import io.caduceus.core.domain.RecordId;

/**
 * A submission that cannot become a record, for a reason the sender must be told (each edge says it in its own terms:
 * an HL7 acknowledgement code and ERR segment, a FHIR OperationOutcome). Permanent: sending it again gets the same
 * answer. Names the record id only, never content.
 */
public final class IntakeRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** This very message was stored, then erased on request with its patient: storing it again would undo that. */
        ERASED_BEFORE,
        /** The id is already stored for other content (an HL7 sender reusing an MSH-10). */
        ID_USED_FOR_OTHER_CONTENT,
        /** A resource id of the content is already stored for another patient. */
        RESOURCE_ID_OF_ANOTHER_PATIENT,
        /** The patient identifier cannot be pseudonymised (blank). */
        PATIENT_IDENTIFIER_UNUSABLE
    }

    private final Reason reason;
    private final transient RecordId recordId;

    IntakeRefusedException(Reason reason, RecordId recordId) {
        super(reason + " (record " + recordId.value() + ")", null, false, false);
        this.reason = reason;
        this.recordId = recordId;
    }

    public Reason reason() {
        return reason;
    }

    public RecordId recordId() {
        return recordId;
    }
}
