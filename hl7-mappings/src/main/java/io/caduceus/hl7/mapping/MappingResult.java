package io.caduceus.hl7.mapping;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;

/**
 * What one HL7 v2 message became. Holds patient data: {@link #toString()} shows only the message type and sizes.
 */
public final class MappingResult {
    /** The patient identifier the caller pseudonymises; system is null when the sender named no authority. */
    public record PatientIdentifier(String system, String value) {
        @Override
        public String toString() {
            return "PatientIdentifier[redacted]";
        }
    }

    private final Bundle bundle;
    private final byte[] canonicalJson;
    private final String messageType;
    private final String triggerEvent;
    private final String controlId;
    private final String sendingApplication;
    private final String sendingFacility;
    private final PatientIdentifier patientIdentifier;
    private final List<MappingIssue> issues;

    MappingResult(Bundle bundle, byte[] canonicalJson, String messageType, String triggerEvent, String controlId,
            String sendingApplication, String sendingFacility, PatientIdentifier patientIdentifier,
            List<MappingIssue> issues) {
        this.issues = List.copyOf(issues);
        this.bundle = bundle;
        this.canonicalJson = canonicalJson;
        this.messageType = messageType;
        this.triggerEvent = triggerEvent;
        this.controlId = controlId;
        this.sendingApplication = sendingApplication;
        this.sendingFacility = sendingFacility;
        this.patientIdentifier = patientIdentifier;
    }

    /** The mapped Bundle (type collection). Mutable HAPI object: callers that change it own the consequences. */
    public Bundle bundle() {
        return bundle;
    }

    /** The Bundle as RFC 8785 canonical JSON; the same input bytes always give the same output bytes. */
    public byte[] canonicalJson() {
        return canonicalJson.clone();
    }

    public String messageType() {
        return messageType;
    }

    public String triggerEvent() {
        return triggerEvent;
    }

    /** MSH-10. */
    public String controlId() {
        return controlId;
    }

    /** MSH-3.1. */
    public String sendingApplication() {
        return sendingApplication;
    }

    /** MSH-4.1. */
    public String sendingFacility() {
        return sendingFacility;
    }

    /** First identifier of the first Patient produced, when the message has one. PHI. */
    public Optional<PatientIdentifier> patientIdentifier() {
        return Optional.ofNullable(patientIdentifier);
    }

    /**
     * The values lenient mapping left out, in message order; always empty in strict mode. The Bundle names the same
     * in an OperationOutcome entry; the caller acknowledges them as warnings (ERR severity W).
     */
    public List<MappingIssue> issues() {
        return issues;
    }

    @Override
    public String toString() {
        return "MappingResult[" + messageType + "^" + triggerEvent + ", " + bundle.getEntry().size() + " entries, "
                + canonicalJson.length + " bytes]";
    }
}
