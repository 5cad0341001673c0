package io.caduceus.routes.mllp;

import javax.net.ssl.SSLException;
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
        if (isTls(exception)) {
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

    private static boolean isTls(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }
}
