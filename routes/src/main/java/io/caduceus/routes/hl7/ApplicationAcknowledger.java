package io.caduceus.routes.hl7;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a message gets an enhanced-mode application acknowledgement, and writes it: AA once the message is
 * durable (a retransmission included, it is as durable as the first time), AE or AR with the ERR segment of the
 * commit acknowledgement once it is quarantined. Sent only as MSH-16 asks (AL always, ER on errors, SU on success;
 * NE or empty never), and never for a message that was not committed: when Caduceus could not store it, the sender
 * got CE and sends it again.
 *
 * <p>Runs on a copy of the ingest exchange, after the commit acknowledgement has been written; the body becomes the
 * application acknowledgement, or null when there is none to send. Where it goes is configured per sender
 * ({@link ApplicationAckDestinations}); a sender asking for acknowledgements Caduceus has no address for is
 * reported once and counted, and its messages are unaffected.
 */
public final class ApplicationAcknowledger {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationAcknowledger.class);
    /** Sender ids come from messages: past this many, further ones are counted together, not remembered. */
    private static final int MAX_SENDERS_COUNTED = 1000;
    private static final String OTHER_SENDERS = "*";

    private final ApplicationAckDestinations destinations;
    private final ZoneId zone;
    private final Map<String, LongAdder> withoutDestination = new ConcurrentHashMap<>();

    ApplicationAcknowledger(ApplicationAckDestinations destinations, ZoneId zone) {
        this.destinations = destinations;
        this.zone = zone;
    }

    public static ApplicationAcknowledger from(CamelContext context) {
        return new ApplicationAcknowledger(ApplicationAckSettings.from(context).destinations(), ZoneId.systemDefault());
    }

    /**
     * Whether the sender asked for application acknowledgements at all (MSH-16 AL, ER or SU): the route wire-taps only
     * those exchanges, so original-mode traffic, nearly all of it, pays no copy and no queue hand-off.
     */
    public boolean asked(Exchange exchange) {
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        if (header == null || header == MshHeader.UNREADABLE) {
            return false;
        }
        String type = header.applicationAckType();
        return "AL".equals(type) || "ER".equals(type) || "SU".equals(type);
    }

    public void prepare(Exchange exchange) {
        exchange.getMessage().setBody(null);
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        if (header == null || header == MshHeader.UNREADABLE || !header.enhancedMode()
                || exchange.getProperty(QuarantineAdmin.REPROCESSING) != null) {
            // Reprocessing answers the operator who asked for it; the sender had its acknowledgement long ago.
            return;
        }
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        AckCode.Outcome outcome;
        Optional<Hl7Error> error;
        if (caught == null) {
            outcome = AckCode.Outcome.ACCEPTED;
            error = Optional.empty();
        } else if (caught instanceof Hl7RejectedException rejection) {
            outcome = rejection.outcome();
            error = Optional.of(rejection.error());
        } else {
            return; // not committed: the sender resends after CE
        }
        if (!requested(header.applicationAckType(), outcome)) {
            return;
        }
        String sender = header.sendingApplicationId() + "^" + header.sendingFacilityId();
        Optional<ApplicationAckDestinations.Destination> destination =
                destinations.forSender(header.sendingApplicationId(), header.sendingFacilityId());
        if (destination.isEmpty()) {
            reportMissingDestination(sender);
            return;
        }
        exchange.setProperty(IngestExchange.APPLICATION_ACK_DESTINATION, destination.get());
        exchange.setProperty(IngestExchange.APPLICATION_ACK_SENDER, sender);
        exchange.getMessage().setBody(Hl7AckBuilder.buildApplicationAck(header, AckCode.applicationMode(outcome), error,
                ZonedDateTime.now(zone), Hl7Acknowledger.nextControlId()));
    }

    /** MSH-16: AL always, ER only on error, SU only on success; NE, empty or an unknown value: not asked for. */
    static boolean requested(String applicationAckType, AckCode.Outcome outcome) {
        return switch (applicationAckType) {
            case "AL" -> true;
            case "ER" -> outcome != AckCode.Outcome.ACCEPTED;
            case "SU" -> outcome == AckCode.Outcome.ACCEPTED;
            default -> false;
        };
    }

    /** Application acknowledgements not sent because no destination is configured for their sender, by sender. */
    public Map<String, Long> withoutDestination() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        withoutDestination.forEach((sender, count) -> counts.put(sender, count.sum()));
        return counts;
    }

    private void reportMissingDestination(String sender) {
        if (withoutDestination.size() >= MAX_SENDERS_COUNTED && !withoutDestination.containsKey(sender)) {
            sender = OTHER_SENDERS;
        }
        LongAdder count = withoutDestination.get(sender);
        if (count == null) {
            LongAdder fresh = new LongAdder();
            count = withoutDestination.putIfAbsent(sender, fresh);
            if (count == null) {
                count = fresh;
                // Once per sender: a busy sender would otherwise fill the log with the same line.
                LOG.warn("sender {} asks for HL7 application acknowledgements (MSH-16) but {} names no destination for it;"
                        + " none are sent to it", sender, ApplicationAckDestinations.PROPERTY);
            }
        }
        count.increment();
    }
}
