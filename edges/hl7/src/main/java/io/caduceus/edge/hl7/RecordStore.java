package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.ingest.IntakeRefusedException;
import io.caduceus.ingest.RecordIntake;
import io.caduceus.ingest.Submission;
import io.caduceus.edge.metrics.CaduceusMetrics;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The HL7 edge of {@link RecordIntake}: hands a mapped message over (its id made of MSH-3, MSH-4 and MSH-10, so a
 * resend is recognised by the same bytes under the same id), tells refusals in HL7's terms, and puts the ledger entry
 * in the body, keyed by record id for Kafka.
 */
public final class RecordStore {

    static final String CONTENT_TYPE = RecordIntake.CONTENT_TYPE;
    /** Vault owner for messages about no patient, so they still have a data key of their own. */
    static final String NO_PATIENT = RecordIntake.NO_PATIENT;
    private static final String KAFKA_KEY = "kafka.KEY";

    private final IngestServices services;
    private final RecordIntake intake;

    public RecordStore(IngestServices services) {
        this(services, CaduceusMetrics.disabled());
    }

    public RecordStore(IngestServices services, CaduceusMetrics metrics) {
        this.services = services;
        this.intake = new RecordIntake(services.vault(), services.pseudonymizer(), metrics::vaultWrite);
    }

    public void store(Exchange exchange) throws Hl7RejectedException {
        MappingResult mapping = exchange.getProperty(IngestExchange.MAPPING, MappingResult.class);
        byte[] original = exchange.getProperty(IngestExchange.ORIGINAL, byte[].class);
        Instant receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Instant.class);
        SourceSystem source;
        List<RecordId> recordIds;
        try {
            source = new SourceSystem(mapping.sendingApplication(), mapping.sendingFacility());
            recordIds = services.recordIds().candidates(new MessageId(source, mapping.controlId()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED, new Hl7Error(Hl7Error.REQUIRED_FIELD_MISSING,
                    "MSH-3, MSH-4 and MSH-10 do not identify the message", "MSH", 1, 10, 0));
        }
        // A retransmission of a message first stored before keyed record ids is still the same record.
        List<RecordId> lookedFor = services.readFormatOneIds() ? recordIds : recordIds.subList(0, 1);
        String messageType = mapping.messageType() + (mapping.triggerEvent() == null ? "" : "^" + mapping.triggerEvent());
        Submission submission = new Submission(lookedFor, source, messageType,
                mapping.patientIdentifier().map(id -> new Submission.PatientIdentifier(id.system(), id.value())),
                mapping.canonicalJson(), original, receivedAt,
                services.resourceKeys().ofBundleEntries(mapping.bundle()), Submission.Resend.SAME_BYTES, false);
        RecordIntake.Accepted accepted;
        try {
            accepted = intake.accept(submission);
        } catch (IntakeRefusedException e) {
            throw refusal(e.reason());
        }
        if (accepted.alreadyStored()) {
            exchange.setProperty(IngestExchange.DUPLICATE, Boolean.TRUE);
        }
        exchange.setProperty(IngestExchange.RECORD_ID, accepted.recordId().value());
        exchange.getMessage().setHeader(KAFKA_KEY, accepted.recordId().value());
        exchange.getMessage().setBody(accepted.entry().toJson());
    }

    private static Hl7RejectedException refusal(IntakeRefusedException.Reason reason) {
        return switch (reason) {
            case ERASED_BEFORE -> erased();
            case ID_USED_FOR_OTHER_CONTENT -> new Hl7RejectedException(AckCode.Outcome.ERROR,
                    new Hl7Error(Hl7Error.DUPLICATE_KEY_IDENTIFIER,
                            "MSH-10 was already used by this sender for a different message", "MSH", 1, 10, 0));
            case PATIENT_IDENTIFIER_UNUSABLE -> new Hl7RejectedException(AckCode.Outcome.ERROR,
                    new Hl7Error(Hl7Error.REQUIRED_FIELD_MISSING, "the patient identifier (PID-3) is empty", "PID", 1,
                            3, 1));
            case RESOURCE_ID_OF_ANOTHER_PATIENT -> throw new IllegalStateException("HL7 intake does not guard ids");
        };
    }

    /**
     * This very message (sender and MSH-10) was stored and then erased on request with its patient: a retransmission
     * is refused and kept nowhere, since keeping it would undo the erasure. A new message about the same patient is
     * not refused: the vault stores it under the patient's next key generation.
     */
    static Hl7RejectedException erased() {
        return new Hl7RejectedException(AckCode.Outcome.ERROR, new Hl7Error(Hl7Error.APPLICATION_RECORD_LOCKED,
                "this message was erased on request; it is not stored again", "MSH", 1, 10, 0), false);
    }
}
