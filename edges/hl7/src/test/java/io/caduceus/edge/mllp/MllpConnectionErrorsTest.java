package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class MllpConnectionErrorsTest {

    @Test
    void anAckWrittenToAClosedConnectionIsCounted() {
        MllpConnectionErrors errors = new MllpConnectionErrors();
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        // As Camel's Netty consumer reports a reply it could not write (ServerResponseFutureListener).
        errors.handleException(new CamelExchangeException("Cannot write response to /127.0.0.1:40000", exchange,
                new ClosedChannelException()));
        errors.handleException(new CamelExchangeException("Cannot write response to /127.0.0.1:40001", exchange,
                new IOException("Broken pipe")));
        assertThat(errors.acksNotDelivered()).isEqualTo(2);
    }

    @Test
    void connectionFailuresThatLoseNoAckAreNotCounted() {
        MllpConnectionErrors errors = new MllpConnectionErrors();
        errors.handleException(new IOException("Connection reset by peer"));
        errors.handleException("decoding", new javax.net.ssl.SSLHandshakeException("no certificate"));
        errors.handleException(new CamelExchangeException("Cannot write response to /127.0.0.1:40000", null));
        assertThat(errors.acksNotDelivered()).isZero();
    }
}
