package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caduceus.edge.mllp.MllpOversizeFrame;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** What a sender gets back for a frame the MLLP decoder found over the size limit. */
class OversizeFrameAckTest {

    private static final String MSH = "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HOSPITAL|20260101120000||ORU^R01|BIG-7|P|2.5.1";

    private static String answer(byte[] header, String expectedRejection) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(new MllpOversizeFrame(header, 52_428_800L, 16_777_216));
        // The oversize path never reaches the vault or the mapper.
        Hl7RejectedException rejection = catchThrowableOfType(() -> new Hl7Intake(null).accept(exchange), Hl7RejectedException.class);
        assertThat(rejection).isNotNull();
        assertThat(rejection.outcome()).isEqualTo(AckCode.Outcome.REJECTED);
        assertThat(rejection.error().code()).isEqualTo(Hl7Error.APPLICATION_INTERNAL_ERROR);
        assertThat(rejection.getMessage()).isEqualTo(expectedRejection);
        assertThat(exchange.getMessage().getBody(byte[].class)).as("the header does not travel on in the body").isEmpty();
        assertThat(exchange.getProperty(IngestExchange.OVERSIZE)).isNotNull();
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, rejection);
        new Hl7Acknowledger(null, ZoneOffset.UTC).rejected(exchange);
        return new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.ISO_8859_1);
    }

    @Test
    void anOversizeMessageIsRejectedByNameWithTheLimitInTheErrSegment() {
        String ack = answer(MSH.getBytes(StandardCharsets.ISO_8859_1),
                "message of 52428800 bytes exceeds the size limit of 16777216 bytes; not processed, not kept");
        assertThat(ack).contains("\rMSA|AR|BIG-7").contains("MSH|^~\\&|CADUCEUS|HOSPITAL|HIS|GENERAL|");
        assertThat(ack).contains("ERR||").contains("|207^Application internal error^HL70357|E|")
                .contains("exceeds the size limit of 16777216 bytes");
    }

    @Test
    void anOversizeFrameWithoutMshIsStillAnsweredAr() {
        String ack = answer("QQQQQQQQQQQQ".getBytes(StandardCharsets.ISO_8859_1),
                "message of 52428800 bytes exceeds the size limit of 16777216 bytes; not processed, not kept");
        assertThat(ack).startsWith("MSH|").contains("\rMSA|AR|").contains("207^Application internal error");
    }
}
