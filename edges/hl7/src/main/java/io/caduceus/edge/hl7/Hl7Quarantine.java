package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.edge.mllp.MllpOversizeFrame;
import io.caduceus.edge.metrics.CaduceusMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every rejected message: its bytes encrypted in the vault's quarantine, and a notice on the quarantine topic
 * (quarantine id, reason, HL7 error code and position, sender, message type) so operators see it without the
 * content ever leaving the vault. A quarantined message can be reprocessed later under its original id.
 */
public final class Hl7Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Quarantine.class);

    private final IngestServices services;
    private final CaduceusMetrics metrics;

    public Hl7Quarantine(IngestServices services) {
        this(services, CaduceusMetrics.disabled());
    }

    public Hl7Quarantine(IngestServices services, CaduceusMetrics metrics) {
        this.services = services;
        this.metrics = metrics;
    }

    public void quarantine(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        Hl7Error error = caught instanceof Hl7RejectedException r ? r.error()
                : Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR, "rejected");
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.UNREADABLE, MshHeader.class);
        byte[] original = exchange.getProperty(IngestExchange.ORIGINAL, new byte[0], byte[].class);
        Instant receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Instant.now(), Instant.class);
        String originalId = header.sendingApplicationId() + "^" + header.sendingFacilityId() + "^" + header.controlId();
        String reprocessing = exchange.getProperty(QuarantineAdmin.REPROCESSING, String.class);
        MllpOversizeFrame oversize = exchange.getProperty(IngestExchange.OVERSIZE, MllpOversizeFrame.class);
        long sizeBytes = oversize == null ? original.length : oversize.sizeBytes();
        String quarantineId;
        if (oversize != null) {
            // A notice without content: the message was never held. Listed with the others, so an operator sees
            // which sender sends what size; there is nothing to reprocess (QuarantineAdmin says so).
            QuarantinedMessage kept = services.vault().quarantine(originalId, error.code() + " " + error.reason(),
                    new byte[0], receivedAt, Optional.empty());
            quarantineId = kept.quarantineId();
        } else if (caught instanceof Hl7RejectedException r && !r.keepContent()) {
            // About an erased patient: announce the refusal, keep nothing.
            quarantineId = "not-kept";
        } else if (reprocessing != null) {
            // Reprocessed and rejected again: it is already in quarantine; keep one entry, not a new copy per attempt.
            quarantineId = reprocessing;
        } else {
            QuarantinedMessage kept = services.vault().quarantine(originalId, error.code() + " " + error.reason(), original,
                    receivedAt, patientOf(exchange));
            quarantineId = kept.quarantineId();
        }
        exchange.setProperty(IngestExchange.QUARANTINE_ID, quarantineId);
        metrics.hl7Quarantined(Hl7Acknowledger.labels(metrics, exchange, header));
        LOG.info("HL7 message quarantined as {}: HL7 error {} at {}", quarantineId, error.code(), location(error));

        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("quarantineId", quarantineId);
        notice.put("receivedAt", receivedAt.toString());
        notice.put("hl7ErrorCode", error.code());
        notice.put("reason", error.reason());
        notice.put("location", location(error));
        notice.put("messageType", header.messageType() + "^" + header.triggerEvent());
        notice.put("sendingApplication", header.sendingApplicationId());
        notice.put("sendingFacility", header.sendingFacilityId());
        notice.put("sizeBytes", sizeBytes);
        if (oversize != null) {
            notice.put("contentKept", false);
            notice.put("limitBytes", oversize.limitBytes());
        }
        exchange.getMessage().setHeader("kafka.KEY", quarantineId);
        exchange.getMessage().setBody(CanonicalJson.write(notice));
    }

    /**
     * The pseudonym of the message's patient when the message was mapped (rejected later, e.g. a reused MSH-10): its
     * quarantined copy is then kept under that patient's key and erased with them. A message that could not be
     * mapped has no patient the configured mappings vouch for; it is kept under a key of its own instead, destroyed
     * when it is released (reprocessed or discarded).
     */
    private Optional<String> patientOf(Exchange exchange) {
        MappingResult mapping = exchange.getProperty(IngestExchange.MAPPING, MappingResult.class);
        if (mapping == null) {
            return Optional.empty();
        }
        try {
            return mapping.patientIdentifier().map(id -> services.pseudonymizer().pseudonymize(id.system(), id.value()).value());
        } catch (IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }

    static String location(Hl7Error error) {
        if (error.segmentId().isEmpty()) {
            return "message";
        }
        return error.segmentId() + (error.segmentSequence() > 1 ? "[" + error.segmentSequence() + "]" : "")
                + (error.field() > 0 ? "-" + error.field() : "") + (error.component() > 0 ? "." + error.component() : "");
    }
}
