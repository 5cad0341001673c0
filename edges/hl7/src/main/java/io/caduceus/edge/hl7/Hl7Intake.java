package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import io.caduceus.hl7.mapping.MappingException;
import io.caduceus.hl7.mapping.MappingResult;
import io.caduceus.hl7.mapping.UnsupportedMessageException;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7ParseException;
import io.caduceus.hl7.mapping.MappingIssue;
import io.caduceus.hl7.mapping.MappingMode;
import io.caduceus.edge.mllp.MllpOversizeFrame;
import io.caduceus.edge.metrics.CaduceusMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * First step of HL7 v2 ingest: reads the message, decides whether it can be accepted at all, and maps it to FHIR.
 * A message that cannot be parsed or is not supported is rejected (AR); one whose fields cannot be mapped is an
 * application error (AE) naming the failing position. Both leave through {@link Hl7RejectedException}.
 *
 * <p>Whether a value that cannot be mapped fails the message depends on the sender ({@link SenderMappingModes}): in
 * lenient mode (the default) a value meant for an optional element is left out, the Bundle names it in an
 * OperationOutcome, and the acknowledgement of the stored message carries an ERR segment of severity W for it
 * ({@link #warnings}); a missing or unusable required value (PID-3, MSH-7, a required FHIR element) is AE either way.
 */
public final class Hl7Intake {

    private final IngestServices services;
    private final SenderMappingModes modes;
    private final CaduceusMetrics metrics;

    /** Lenient mapping for every sender, the shipped default. */
    public Hl7Intake(IngestServices services) {
        this(services, SenderMappingModes.lenient(), CaduceusMetrics.disabled());
    }

    Hl7Intake(IngestServices services, SenderMappingModes modes) {
        this(services, modes, CaduceusMetrics.disabled());
    }

    public Hl7Intake(IngestServices services, SenderMappingModes modes, CaduceusMetrics metrics) {
        this.services = services;
        this.modes = modes;
        this.metrics = metrics;
    }

    /** The application's intake, with the senders' mapping modes from its configuration. */
    public static Hl7Intake from(org.apache.camel.CamelContext context, IngestServices services, CaduceusMetrics metrics) {
        return new Hl7Intake(services, SenderMappingModes.from(context), metrics);
    }

    /** Warnings (ERR severity W) for the values lenient mapping left out of this exchange's message; often none. */
    @SuppressWarnings("unchecked")
    static List<Hl7Error> warnings(Exchange exchange) {
        List<Hl7Error> warnings = exchange.getProperty(IngestExchange.WARNINGS, List.class);
        return warnings == null ? List.of() : warnings;
    }

    public void accept(Exchange exchange) throws Hl7RejectedException {
        if (exchange.getMessage().getBody() instanceof MllpOversizeFrame oversize) {
            rejectOversize(exchange, oversize);
        }
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
            MappingMode mode = modes.forSender(header.sendingApplicationId(), header.sendingFacilityId());
            long mappingStarted = System.nanoTime();
            MappingResult result = services.mapper().map(parsed, mode);
            metrics.mappingTime(System.nanoTime() - mappingStarted);
            exchange.setProperty(IngestExchange.MAPPING, result);
            if (!result.issues().isEmpty()) {
                List<Hl7Error> warnings = new ArrayList<>(result.issues().size());
                for (MappingIssue issue : result.issues()) {
                    warnings.add(Hl7Error.warning(issue));
                }
                exchange.setProperty(IngestExchange.WARNINGS, List.copyOf(warnings));
            }
        } catch (UnsupportedMessageException e) {
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED, new Hl7Error(
                    Hl7Error.UNSUPPORTED_EVENT_CODE, e.getMessage(), "MSH", 1, 9, 0));
        } catch (MappingException e) {
            throw new Hl7RejectedException(AckCode.Outcome.ERROR, new Hl7Error(
                    e.hl7ErrorCode(), e.getMessage(), e.segmentId(), e.segmentRepetition(), e.fieldPosition(),
                    e.componentPosition()));
        } catch (RuntimeException e) {
            // A mapping bug must not look like an outage (the sender would retry forever): it is this message's error.
            throw new Hl7RejectedException(AckCode.Outcome.ERROR, Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR,
                    "mapping failed: " + e.getClass().getSimpleName()));
        }
    }

    /**
     * A frame over {@code caduceus.mllp.max-message-bytes}, read and dropped by the MLLP decoder: only its MSH is left,
     * for an acknowledgement that names it. AR, because the message as it is will never be accepted and a sender
     * must not resend it unchanged (AE 207 is what Caduceus answers when the sender SHOULD resend). Error 207 of
     * HL7 table 0357: of the table's codes, 100 (segment sequence) and 102 (data type) would send the sender looking
     * for a fault in a segment or field that is not there; a receiver's own size limit is the table's catch-all,
     * "application internal error", with the limit named in ERR-8. Nothing of the message is kept: the quarantine
     * gets a notice of it (sender, control id, size).
     */
    private static void rejectOversize(Exchange exchange, MllpOversizeFrame oversize) throws Hl7RejectedException {
        exchange.setProperty(IngestExchange.OVERSIZE, oversize);
        exchange.setProperty(IngestExchange.ORIGINAL, new byte[0]);
        exchange.setProperty(IngestExchange.RECEIVED_AT, Instant.now());
        exchange.setProperty(IngestExchange.HEADER, MshHeader.read(oversize.header()));
        // The header is message content: the exchange's body must not carry it further than this.
        exchange.getMessage().setBody(new byte[0]);
        throw new Hl7RejectedException(AckCode.Outcome.REJECTED, Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR,
                "message of " + oversize.sizeBytes() + " bytes exceeds the size limit of " + oversize.limitBytes()
                        + " bytes; not processed, not kept"));
    }
}
