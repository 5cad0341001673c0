package io.caduceus.edge.hl7;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * Writes enhanced-mode application acknowledgements: AA once the message is durable (a retransmission included, it
 * is as durable as the first time), with an ERR segment of severity W for each value lenient mapping left out, AE or AR with the ERR segment of the commit acknowledgement once it is
 * quarantined, as MSH-16 asks ({@link AckModes} has the whole matrix), never for a message that was not committed.
 *
 * <p>Where it goes is configured per sender ({@link ApplicationAckDestinations}). A sender with a destination gets it
 * there: {@link #prepare} runs on a copy of the ingest exchange, after the commit acknowledgement has been written,
 * and the body becomes the acknowledgement to deliver, or null. A sender without one gets it on the originating
 * connection: {@link Hl7Acknowledger} asks {@link #forConnection} while it writes that connection's answer.
 */
public final class ApplicationAcknowledger {

    private final ApplicationAckDestinations destinations;
    private final ZoneId zone;

    ApplicationAcknowledger(ApplicationAckDestinations destinations, ZoneId zone) {
        this.destinations = destinations;
        this.zone = zone;
    }

    public static ApplicationAcknowledger from(CamelContext context) {
        return new ApplicationAcknowledger(ApplicationAckSettings.from(context).destinations(), ZoneId.systemDefault());
    }

    /**
     * Whether the sender asked for application acknowledgements (MSH-16 AL, ER or SU) and has a destination for them:
     * the route wire-taps only those exchanges, so all other traffic pays no copy and no queue hand-off.
     */
    public boolean asked(Exchange exchange) {
        MshHeader header = exchange.getProperty(IngestExchange.HEADER, MshHeader.class);
        if (header == null || header == MshHeader.UNREADABLE || !AckModes.applicationAcksAsked(header.applicationAckType())
                || exchange.getProperty(IngestExchange.IN_BATCH) != null) {
            return false; // a message of a batch is answered in the batch acknowledgement
        }
        return destination(header).isPresent();
    }

    /**
     * The application acknowledgement to send on the originating connection after (or instead of) the commit
     * acknowledgement: present when MSH-16 asks for one for this outcome and no destination is configured for the
     * sender. The caller passes only outcomes of messages that were committed (stored or quarantined).
     */
    Optional<byte[]> forConnection(Exchange exchange, MshHeader header, AckCode.Outcome outcome, Optional<Hl7Error> error) {
        return forConnection(exchange, header, outcome, error.map(List::of).orElse(List.of()));
    }

    /** As above, with the error of a rejection or the warnings of a message stored without some values. */
    Optional<byte[]> forConnection(Exchange exchange, MshHeader header, AckCode.Outcome outcome, List<Hl7Error> errors) {
        if (header == MshHeader.UNREADABLE || !header.enhancedMode() || exchange.getProperty(QuarantineAdmin.REPROCESSING) != null
                || !AckModes.applicationAckDue(header.applicationAckType(), outcome) || destination(header).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(Hl7AckBuilder.buildApplicationReply(header, AckCode.applicationMode(outcome), errors,
                ZonedDateTime.now(zone), Hl7Acknowledger.nextControlId()));
    }

    private Optional<ApplicationAckDestinations.Destination> destination(MshHeader header) {
        return destinations.forSender(header.sendingApplicationId(), header.sendingFacilityId());
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
        List<Hl7Error> errors;
        if (caught == null) {
            outcome = AckCode.Outcome.ACCEPTED;
            errors = Hl7Intake.warnings(exchange);
        } else if (caught instanceof Hl7RejectedException rejection) {
            outcome = rejection.outcome();
            errors = List.of(rejection.error());
        } else {
            return; // not committed: the sender resends after CE
        }
        Optional<ApplicationAckDestinations.Destination> destination = destination(header);
        if (!AckModes.applicationAckDue(header.applicationAckType(), outcome) || destination.isEmpty()) {
            return; // not asked for, or it went on the originating connection
        }
        String sender = header.sendingApplicationId() + "^" + header.sendingFacilityId();
        exchange.setProperty(IngestExchange.APPLICATION_ACK_DESTINATION, destination.get());
        exchange.setProperty(IngestExchange.APPLICATION_ACK_SENDER, sender);
        exchange.getMessage().setBody(Hl7AckBuilder.buildApplicationAck(header, AckCode.applicationMode(outcome), errors,
                ZonedDateTime.now(zone), Hl7Acknowledger.nextControlId()));
    }
}
