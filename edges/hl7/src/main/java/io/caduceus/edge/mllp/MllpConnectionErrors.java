package io.caduceus.edge.mllp;

import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what closed an MLLP connection by exception class only. Netty's own messages quote the bytes received: a
 * plain-text sender on the TLS port, for one, gets {@code NotSslRecordException: not an SSL/TLS record: 0b4d5348...},
 * the whole HL7 message in hex, patient name included, and Camel's default handler logs that at WARN.
 */
public final class MllpConnectionErrors implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(MllpConnectionErrors.class);

    private final AtomicLong acksNotDelivered = new AtomicLong();

    /**
     * Acknowledgements that could not be written because the sender's connection was already closed (it gave up
     * waiting, typically). The message may well be stored: its resend is recognised by record id.
     */
    public long acksNotDelivered() {
        return acksNotDelivered.get();
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        String causes = causeClasses(exception);
        if (isUndeliveredReply(exception)) {
            acksNotDelivered.incrementAndGet();
            LOG.warn("MLLP acknowledgement not delivered, the sender's connection was gone: {}", causes);
        } else if (isTls(exception)) {
            LOG.warn("MLLP connection refused at the TLS layer (no or untrusted client certificate, or not TLS): {}", causes);
        } else {
            LOG.warn("MLLP connection closed after an error: {}", causes);
        }
    }

    /** {@code DecoderException <- NotSslRecordException}: the chain of classes, never a message. */
    static String causeClasses(Throwable exception) {
        StringBuilder chain = new StringBuilder();
        int depth = 0;
        for (Throwable t = exception; t != null && depth < 8; t = t.getCause(), depth++) {
            chain.append(depth == 0 ? "" : " <- ").append(t.getClass().getSimpleName());
        }
        return chain.length() == 0 ? "unknown" : chain.toString();
    }

    /**
     * Camel's Netty consumer reports a failed write of the exchange's reply as a CamelExchangeException carrying the
     * exchange, with the channel's error as its cause; failures of the connection itself come without an exchange.
     */
    static boolean isUndeliveredReply(Throwable exception) {
        return exception instanceof CamelExchangeException e && e.getExchange() != null
                && e.getMessage() != null && e.getMessage().startsWith("Cannot write response");
    }

    private static boolean isTls(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
