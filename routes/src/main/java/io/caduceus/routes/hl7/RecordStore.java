package io.caduceus.routes.hl7;

import io.caduceus.adapters.vault.RecordErasedException;
import io.caduceus.adapters.vault.VaultRecord;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.pseudonym.PatientPseudonym;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.routes.metrics.CaduceusMetrics;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Makes a mapped message durable: the bundle and the original bytes go to the encrypted vault under a fresh salt,
 * and the body becomes the ledger entry (commitment and pseudonym, no PHI) keyed by record id for Kafka.
 *
 * <p>A retransmission (same sender and MSH-10, same bytes) is recognised by its record id: nothing new is stored and
 * the entry is rebuilt from what the vault holds, so its commitment is the original one and the ledger, which
 * ignores an identical entry, records it once. The same MSH-10 with different content is rejected (HL7 205).
 */
public final class RecordStore {

    static final String CONTENT_TYPE = "application/fhir+json";
    /** Vault owner for messages about no patient, so they still have a data key of their own. */
    static final String NO_PATIENT = "pp0_no-patient";
    private static final String KAFKA_KEY = "kafka.KEY";

    private final IngestServices services;
    private final CaduceusMetrics metrics;

    public RecordStore(IngestServices services) {
        this(services, CaduceusMetrics.disabled());
    }

    public RecordStore(IngestServices services, CaduceusMetrics metrics) {
        this.services = services;
        this.metrics = metrics;
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
        String messageType = mapping.messageType() + (mapping.triggerEvent() == null ? "" : "^" + mapping.triggerEvent());

        try {
            storeAndDescribe(exchange, mapping, original, receivedAt, source, recordIds, messageType);
        } catch (RecordErasedException e) {
            throw erased();
        }
    }

    private void storeAndDescribe(Exchange exchange, MappingResult mapping, byte[] original, Instant receivedAt,
            SourceSystem source, List<RecordId> candidates, String messageType) throws Hl7RejectedException {
        RecordId recordId = candidates.get(0);
        Optional<VaultRecord> stored = services.vault().get(recordId.value());
        if (stored.isEmpty() && services.readFormatOneIds()) {
            // A retransmission of a message first stored before keyed record ids: still the same record.
            RecordId formatOne = candidates.get(1);
            stored = services.vault().get(formatOne.value());
            recordId = stored.isPresent() ? formatOne : recordId;
        }
        VaultRecord record;
        if (stored.isPresent()) {
            record = stored.get();
            if (!Arrays.equals(record.originalMessage(), original)) {
                throw new Hl7RejectedException(AckCode.Outcome.ERROR, new Hl7Error(Hl7Error.DUPLICATE_KEY_IDENTIFIER,
                        "MSH-10 was already used by this sender for a different message", "MSH", 1, 10, 0));
            }
            exchange.setProperty(IngestExchange.DUPLICATE, Boolean.TRUE);
        } else {
            Optional<PatientPseudonym> pseudonym;
            try {
                pseudonym = mapping.patientIdentifier().map(id -> services.pseudonymizer().pseudonymize(id.system(), id.value()));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new Hl7RejectedException(AckCode.Outcome.ERROR, new Hl7Error(Hl7Error.REQUIRED_FIELD_MISSING,
                        "the patient identifier (PID-3) is empty", "PID", 1, 3, 1));
            }
            record = new VaultRecord(recordId.value(), pseudonym.map(PatientPseudonym::value).orElse(NO_PATIENT),
                    Salt.random().toBytes(), CONTENT_TYPE, mapping.canonicalJson(), original, receivedAt)
                    .withLookupKeys(services.resourceKeys().ofBundleEntries(mapping.bundle()));
            long writeStarted = System.nanoTime();
            services.vault().put(record);
            metrics.vaultWrite(System.nanoTime() - writeStarted);
        }
        Digest commitment = HidingCommitments.commit(Salt.of(record.salt()), record.canonicalBundle());
        Optional<PatientPseudonym> pseudonym = NO_PATIENT.equals(record.patientPseudonym())
                ? Optional.empty() : Optional.of(new PatientPseudonym(record.patientPseudonym()));
        LedgerEntry entry = new LedgerEntry(recordId, commitment, messageType, source, record.receivedAt(), pseudonym);
        exchange.setProperty(IngestExchange.RECORD_ID, recordId.value());
        exchange.getMessage().setHeader(KAFKA_KEY, recordId.value());
        exchange.getMessage().setBody(entry.toJson());
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
