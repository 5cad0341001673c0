package io.caduceus.edge.hl7;

import io.caduceus.edge.mllp.MllpClient;
import io.caduceus.edge.mllp.MllpTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers an application acknowledgement written by {@link ApplicationAcknowledger} to its sender's MLLP listener and
 * reads the sender's commit acknowledgement. CA (or AA from a sender answering in original mode) completes the
 * delivery. CE, no answer in time or no connection fail the attempt, and the route's error handler tries again after
 * a growing delay; on the last attempt the acknowledgement is given up instead, so that a sender that is down for
 * long costs a log line and a count, not an endless queue. CR is final: the sender refuses the acknowledgement and
 * would refuse it again.
 *
 * <p>Logs name the sender system, the destination, the attempt and the commit acknowledgement code, never a message
 * or a control id.
 */
public final class ApplicationAckSender {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationAckSender.class);
    /** Commit acknowledgements are a few hundred bytes; anything far longer is not one. */
    private static final int MAX_REPLY_BYTES = 64 * 1024;

    private final MllpClient plain;
    /** Null when no sender is reached over TLS. */
    private final MllpClient tls;
    private final boolean tlsByDefault;
    private final int retries;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder givenUp = new LongAdder();

    ApplicationAckSender(ApplicationAckSettings settings) {
        this.plain = new MllpClient(settings.connectTimeout(), settings.replyTimeout(), MAX_REPLY_BYTES);
        ApplicationAckSettings.Tls options = settings.tls();
        this.tlsByDefault = options.byDefault();
        // Built whenever TLS may be used (a destination can also come from a test or a later reload): a bad store
        // stops the start rather than the first acknowledgement.
        boolean needed = options.byDefault() || settings.destinations().anyTls(false) || options.trustStore() != null;
        this.tls = needed ? new MllpClient(settings.connectTimeout(), settings.replyTimeout(), MAX_REPLY_BYTES,
                MllpTls.context(ApplicationAckSettings.TLS_PREFIX, options.trustStore(), options.trustStorePasswordFile(),
                        options.keyStore(), options.keyStorePasswordFile())) : null;
        this.retries = settings.retries();
    }

    public static ApplicationAckSender from(CamelContext context) {
        return new ApplicationAckSender(ApplicationAckSettings.from(context));
    }

    /**
     * One delivery attempt.
     *
     * @throws ApplicationAckNotDeliveredException when the attempt failed and another one is due
     */
    public void send(Exchange exchange) throws ApplicationAckNotDeliveredException {
        ApplicationAckDestinations.Destination destination =
                exchange.getProperty(IngestExchange.APPLICATION_ACK_DESTINATION, ApplicationAckDestinations.Destination.class);
        String sender = exchange.getProperty(IngestExchange.APPLICATION_ACK_SENDER, "", String.class);
        byte[] ack = exchange.getMessage().getBody(byte[].class);
        if (ack == null || destination == null) {
            return; // nothing was due: the route filters these out already
        }
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        int attempts = retries + 1;
        String problem;
        try {
            String code = commitAckCode(client(destination).send(destination.host(), destination.port(), ack));
            switch (code) {
                case "CA", "AA" -> {
                    delivered.increment();
                    return;
                }
                case "CR", "AR" -> {
                    givenUp.increment();
                    LOG.warn("HL7 application acknowledgement for sender {} refused by {} ({}); not sent again",
                            sender, destination, code);
                    return;
                }
                // The code is the peer's text: logged only when it looks like one (CE, AE).
                default -> problem = code.length() == 2 ? "the sender answered " + code : "the reply is not an acknowledgement";
            }
        } catch (IOException e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (attempt < attempts) {
            LOG.warn("HL7 application acknowledgement for sender {} not delivered to {}, attempt {} of {}: {}; retrying",
                    sender, destination, attempt, attempts, problem);
            throw new ApplicationAckNotDeliveredException(problem);
        }
        givenUp.increment();
        LOG.warn("HL7 application acknowledgement for sender {} not delivered to {}, attempt {} of {}: {}; given up",
                sender, destination, attempt, attempts, problem);
    }

    private MllpClient client(ApplicationAckDestinations.Destination destination) throws IOException {
        if (!destination.tls(tlsByDefault)) {
            return plain;
        }
        if (tls == null) {
            throw new IOException("TLS to " + destination + " is asked for but no TLS client is set up");
        }
        return tls;
    }

    /** Application acknowledgements the senders confirmed. */
    public long delivered() {
        return delivered.sum();
    }

    /** Application acknowledgements refused by their sender or undeliverable after every attempt. */
    public long givenUp() {
        return givenUp.sum();
    }

    /** MSA-1 of a reply, or empty when the reply has no MSA segment. */
    static String commitAckCode(byte[] reply) {
        for (String segment : new String(reply, StandardCharsets.ISO_8859_1).split("[\r\n]+")) {
            if (segment.length() > 4 && segment.startsWith("MSA")) {
                String[] fields = segment.split(java.util.regex.Pattern.quote(segment.substring(3, 4)), -1);
                return fields[1].strip();
            }
        }
        return "";
    }

    /** A delivery attempt failed and is to be repeated; its message names the cause, never content. */
    public static final class ApplicationAckNotDeliveredException extends Exception {

        private static final long serialVersionUID = 1L;

        ApplicationAckNotDeliveredException(String problem) {
            super(problem);
        }
    }
}
