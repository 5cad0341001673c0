package io.caduceus.edge.hl7;

import io.caduceus.edge.metrics.CaduceusMetrics;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the acknowledgement the reply of the exchange (the MLLP listener frames and sends it), once the route knows
 * the outcome.
 *
 * <p>Original mode (MSH-15 and MSH-16 empty): AA only after the record is in the vault and its ledger entry was
 * acknowledged by Kafka, with an ERR segment of severity W for each value lenient mapping left out; AE for a message Caduceus could not process; AR for one it will not process. Enhanced mode:
 * the commit acknowledgement CA/CE/CR as MSH-15 asks, followed by the application acknowledgement when MSH-16 asks for
 * one and the sender has no destination of its own for it ({@link AckModes} has the matrix). Two acknowledgements
 * make a {@code List<byte[]>} reply, which the MLLP encoder writes as two frames in that order. With a destination,
 * {@link ApplicationAcknowledger} and {@link ApplicationAckSender} deliver it without delaying this reply. A message
 * of an HL7 batch is answered in original mode, inside the batch acknowledgement ({@link Hl7Batches}).
 */
public final class Hl7Acknowledger {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Acknowledger.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String RUN = Long.toString(System.currentTimeMillis() / 1000, 36).toUpperCase(java.util.Locale.ROOT);

    private final ApplicationAcknowledger applicationAcks;
    private final ZoneId zone;
    private final CaduceusMetrics metrics;

    public Hl7Acknowledger(ApplicationAcknowledger applicationAcks) {
        this(applicationAcks, CaduceusMetrics.disabled());
    }

    public Hl7Acknowledger(ApplicationAcknowledger applicationAcks, CaduceusMetrics metrics) {
        this(applicationAcks, ZoneId.systemDefault(), metrics);
    }

    Hl7Acknowledger(ApplicationAcknowledger applicationAcks, ZoneId zone) {
        this(applicationAcks, zone, CaduceusMetrics.disabled());
    }

    Hl7Acknowledger(ApplicationAcknowledger applicationAcks, ZoneId zone, CaduceusMetrics metrics) {
        this.applicationAcks = applicationAcks;
        this.zone = zone;
        this.metrics = metrics;
    }

    /** The message is durable: vault written, ledger entry acknowledged by Kafka. */
    public void accepted(Exchange exchange) {
        acknowledge(exchange, AckCode.Outcome.ACCEPTED, Hl7Intake.warnings(exchange), true);
    }

    /** The message is at fault; it has been quarantined. */
    public void rejected(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught instanceof Hl7RejectedException rejection) {
            acknowledge(exchange, rejection.outcome(), List.of(rejection.error()), true);
        } else {
            failed(exchange);
        }
    }

    /**
     * Caduceus could not make the message durable (vault or Kafka unavailable). AE without quarantine: the message is
     * fine, and the sender keeps it and sends it again, which is how nothing is lost while a dependency is down.
     */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught instanceof io.caduceus.edge.store.StoreRefusedException) {
            // The breaker logged why it opened; a line per resend would flood the log during the outage.
            LOG.debug("HL7 message refused while the store breaker is open, sender should retry");
        } else {
            LOG.warn("HL7 message not accepted, sender should retry: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        }
        acknowledge(exchange, AckCode.Outcome.ERROR, List.of(Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR,
                "temporarily unable to store the message; please resend")), false);
    }

    /**
     * {@code errors}: the error of a rejection, or the warnings (severity W) of a message stored without some values.
     * Original mode puts them in its one ACK. Enhanced mode's commit acknowledgement says only whether the message is
     * stored, so warnings and a quarantined message's error go in the application acknowledgement alone (the commit
     * acknowledgement is a bare CA); the error of a CE or CR is in both.
     */
    private void acknowledge(Exchange exchange, AckCode.Outcome outcome, List<Hl7Error> errors, boolean committed) {
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        if (header == null) {
            header = MshHeader.read(exchange.getProperty(IngestExchange.ORIGINAL, new byte[0], byte[].class));
        }
        if (!header.enhancedMode() || exchange.getProperty(IngestExchange.IN_BATCH) != null) {
            exchange.getMessage().setBody(build(header, AckCode.originalMode(outcome), errors));
            measure(exchange, header, AckCode.originalMode(outcome).name());
            return;
        }
        AckCode commitCode = AckCode.commitMode(outcome, committed);
        List<Hl7Error> commitErrors = commitCode == AckCode.CA ? List.of() : errors;
        boolean commitAckDue = AckModes.commitAckDue(header.acceptAckType(), commitCode);
        byte[] commitAck = commitAckDue ? build(header, commitCode, commitErrors) : null;
        Optional<byte[]> applicationAck = committed
                ? applicationAcks.forConnection(exchange, header, outcome, errors) : Optional.empty();
        // The first acknowledgement on the connection is what the sender waits for; "none" when nothing is sent now.
        measure(exchange, header, commitAckDue ? commitCode.name()
                : applicationAck.isPresent() ? AckCode.applicationMode(outcome).name() : "none");
        Object reply;
        if (applicationAck.isEmpty()) {
            reply = commitAck; // null: no answer at all, the connection stays open
        } else if (commitAck == null) {
            reply = applicationAck.get();
        } else {
            reply = List.of(commitAck, applicationAck.get());
        }
        exchange.getMessage().setBody(reply);
    }

    private void measure(Exchange exchange, MshHeader header, String code) {
        if (!metrics.enabled()) {
            return;
        }
        Long receivedNanos = exchange.getProperty(IngestExchange.RECEIVED_NANOS, Long.class);
        metrics.hl7Acknowledged(labels(metrics, exchange, header), code,
                receivedNanos == null ? 0 : System.nanoTime() - receivedNanos);
    }

    /** The metric labels intake put on the exchange, or those of {@code header} when intake did not run. */
    static CaduceusMetrics.MessageLabels labels(CaduceusMetrics metrics, Exchange exchange, MshHeader header) {
        CaduceusMetrics.MessageLabels labels = exchange.getProperty(CaduceusMetrics.MessageLabels.PROPERTY,
                CaduceusMetrics.MessageLabels.class);
        return labels != null ? labels : labels(metrics, header);
    }

    static CaduceusMetrics.MessageLabels labels(CaduceusMetrics metrics, MshHeader header) {
        if (header == MshHeader.UNREADABLE) {
            return metrics.labels(null, null, null, null);
        }
        return metrics.labels(header.sendingApplicationId(), header.sendingFacilityId(), header.messageType(),
                header.triggerEvent());
    }

    private byte[] build(MshHeader header, AckCode code, List<Hl7Error> errors) {
        return Hl7AckBuilder.build(header, code, errors, ZonedDateTime.now(zone), nextControlId());
    }

    /** MSH-10 of an acknowledgement Caduceus writes: unique across restarts without shared state. */
    static String nextControlId() {
        return "CAD" + RUN + SEQUENCE.incrementAndGet();
    }
}
