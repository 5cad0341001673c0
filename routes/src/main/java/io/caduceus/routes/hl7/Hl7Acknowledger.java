package io.caduceus.routes.hl7;

import java.time.ZoneId;
import java.time.ZonedDateTime;
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
 * acknowledged by Kafka; AE for a message Caduceus could not process; AR for one it will not process. Enhanced mode:
 * the commit acknowledgement CA/CE/CR, sent or not as MSH-15 asks (AL always, NE never, ER on errors only, SU on
 * success only). The application acknowledgements of enhanced mode (MSH-16) are new messages to the sender on another
 * connection, sent by {@link ApplicationAcknowledger} and {@link ApplicationAckSender} without delaying this reply.
 */
public final class Hl7Acknowledger {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Acknowledger.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String RUN = Long.toString(System.currentTimeMillis() / 1000, 36).toUpperCase(java.util.Locale.ROOT);

    private final ZoneId zone;

    public Hl7Acknowledger() {
        this(ZoneId.systemDefault());
    }

    Hl7Acknowledger(ZoneId zone) {
        this.zone = zone;
    }

    /** The message is durable: vault written, ledger entry acknowledged by Kafka. */
    public void accepted(Exchange exchange) {
        acknowledge(exchange, AckCode.Outcome.ACCEPTED, Optional.empty());
    }

    /** The message is at fault; it has been quarantined. */
    public void rejected(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (caught instanceof Hl7RejectedException rejection) {
            acknowledge(exchange, rejection.outcome(), Optional.of(rejection.error()));
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
        LOG.warn("HL7 message not accepted, sender should retry: {}", caught == null ? "unknown" : caught.getClass().getSimpleName());
        acknowledge(exchange, AckCode.Outcome.ERROR, Optional.of(Hl7Error.message(Hl7Error.APPLICATION_INTERNAL_ERROR,
                "temporarily unable to store the message; please resend")));
    }

    private void acknowledge(Exchange exchange, AckCode.Outcome outcome, Optional<Hl7Error> error) {
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        if (header == null) {
            header = MshHeader.read(exchange.getProperty(IngestExchange.ORIGINAL, new byte[0], byte[].class));
        }
        AckCode code;
        if (header.enhancedMode()) {
            if (!shouldSend(header.acceptAckType(), outcome)) {
                exchange.getMessage().setBody(null);
                return;
            }
            code = AckCode.commitMode(outcome);
        } else {
            code = AckCode.originalMode(outcome);
        }
        byte[] ack = Hl7AckBuilder.build(header, code, error, ZonedDateTime.now(zone), nextControlId());
        exchange.getMessage().setBody(ack);
    }

    static boolean shouldSend(String acceptAckType, AckCode.Outcome outcome) {
        return switch (acceptAckType) {
            case "NE" -> false;
            case "ER" -> outcome != AckCode.Outcome.ACCEPTED;
            case "SU" -> outcome == AckCode.Outcome.ACCEPTED;
            default -> true; // AL, empty (only MSH-16 valued) or an unknown value: acknowledge
        };
    }

    /** MSH-10 of an acknowledgement Caduceus writes: unique across restarts without shared state. */
    static String nextControlId() {
        return "CAD" + RUN + SEQUENCE.incrementAndGet();
    }
}
