package io.caduceus.routes.hl7;

import io.caduceus.hl7.mapping.MappingException;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.hl7.mapping.UnsupportedMessageException;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7ParseException;
import io.caduceus.routes.metrics.CaduceusMetrics;
import java.time.Instant;
import org.apache.camel.Exchange;

/**
 * First step of HL7 v2 ingest: reads the message, decides whether it can be accepted at all, and maps it to FHIR.
 * A message that cannot be parsed or is not supported is rejected (AR); one whose fields cannot be mapped is an
 * application error (AE) naming the failing position. Both leave through {@link Hl7RejectedException}.
 */
public final class Hl7Intake {

    private final IngestServices services;
    private final CaduceusMetrics metrics;

    public Hl7Intake(IngestServices services) {
        this(services, CaduceusMetrics.disabled());
    }

    public Hl7Intake(IngestServices services, CaduceusMetrics metrics) {
        this.services = services;
        this.metrics = metrics;
    }

    public void accept(Exchange exchange) throws Hl7RejectedException {
        byte[] message = exchange.getMessage().getBody(byte[].class);
        if (message == null) {
            message = new byte[0];
        }
        exchange.setProperty(IngestExchange.ORIGINAL, message);
        Instant receivedAt = exchange.getProperty(IngestExchange.RECEIVED_AT, Instant.class);
        if (receivedAt == null) {
            receivedAt = Instant.now();
            exchange.setProperty(IngestExchange.RECEIVED_AT, receivedAt);
        }
        exchange.setProperty(IngestExchange.RECEIVED_NANOS, System.nanoTime());
        MshHeader header = MshHeader.read(message);
        exchange.setProperty(IngestExchange.HEADER, header);
        CaduceusMetrics.MessageLabels labels = Hl7Acknowledger.labels(metrics, header);
        exchange.setProperty(CaduceusMetrics.MessageLabels.PROPERTY, labels);
        metrics.hl7Received(labels, receivedAt.toEpochMilli());
        if (header == MshHeader.UNREADABLE) {
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED,
                    new Hl7Error(Hl7Error.SEGMENT_SEQUENCE_ERROR, "message does not start with an MSH segment", "MSH", 1, 0, 0));
        }
        if (header.controlId().isBlank()) {
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED,
                    new Hl7Error(Hl7Error.REQUIRED_FIELD_MISSING, "MSH-10 message control id is empty", "MSH", 1, 10, 0));
        }
        Hl7Message parsed;
        try {
            parsed = Hl7Message.parse(message);
        } catch (Hl7ParseException e) {
            boolean version = e.fieldPosition() == 12 && "MSH".equals(e.segmentId());
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED, new Hl7Error(
                    version ? Hl7Error.UNSUPPORTED_VERSION_ID : Hl7Error.SEGMENT_SEQUENCE_ERROR, e.getMessage(),
                    e.segmentId() == null ? "" : e.segmentId(), e.segmentIndex() + 1, e.fieldPosition(), 0));
        }
        try {
            long mappingStarted = System.nanoTime();
            MappingResult result = services.mapper().map(parsed);
            metrics.mappingTime(System.nanoTime() - mappingStarted);
            exchange.setProperty(IngestExchange.MAPPING, result);
        } catch (UnsupportedMessageException e) {
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED, new Hl7Error(
                    Hl7Error.UNSUPPORTED_EVENT_CODE, e.getMessage(), "MSH", 1, 9, 0));
        } catch (MappingException e) {
            throw new Hl7RejectedException(AckCode.Outcome.ERROR, new Hl7Error(
                    Hl7Error.DATA_TYPE_ERROR, e.getMessage(), e.segmentId(), e.segmentRepetition(), e.fieldPosition(),
                    e.componentPosition()));
        } catch (RuntimeException e) {
            // A mapping bug must not look like an outage (the sender would retry forever): it is this message's error.
            throw new Hl7RejectedException(AckCode.Outcome.ERROR, Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR,
                    "mapping failed: " + e.getClass().getSimpleName()));
        }
    }
}
