package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caduceus.edge.mllp.MllpOversizeFrame;
import io.caduceus.ingest.vault.QuarantinedMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The quarantine's notice of a message over the MLLP size limit: sender, control id and size, never content. */
class OversizeQuarantineNoticeTest {

    private static final String MSH = "MSH|^~\\&|LAB|NORTH|CADUCEUS|HOSPITAL|20260101120000||ORU^R01|HUGE-3|P|2.5.1";

    @RegisterExtension
    final FileVaultIngest fixture = new FileVaultIngest();

    @Test
    void theNoticeNamesSenderControlIdAndSizeKeepsNoContentAndCannotBeReprocessed() {
        Exchange exchange = fixture.exchange();
        exchange.getMessage().setBody(new MllpOversizeFrame(MSH.getBytes(StandardCharsets.ISO_8859_1), 30_000_000L, 16_777_216));
        Hl7RejectedException rejection = catchThrowableOfType(() -> new Hl7Intake(fixture.services()).accept(exchange),
                Hl7RejectedException.class);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, rejection);

        new Hl7Quarantine(fixture.services()).quarantine(exchange);

        String notice = exchange.getMessage().getBody(String.class);
        assertThat(notice).contains("\"sizeBytes\":30000000").contains("\"limitBytes\":16777216")
                .contains("\"contentKept\":false").contains("\"sendingApplication\":\"LAB\"")
                .contains("\"sendingFacility\":\"NORTH\"").contains("\"hl7ErrorCode\":207").doesNotContain("MSH|");
        List<QuarantinedMessage> kept = fixture.vault().listQuarantined();
        assertThat(kept).singleElement().satisfies(q -> {
            assertThat(q.originalMessageId()).isEqualTo("LAB^NORTH^HUGE-3");
            assertThat(q.originalBytes()).as("no content, not even the MSH").isEmpty();
            assertThat(q.reason()).isEqualTo("207 message of 30000000 bytes exceeds the size limit of 16777216 bytes;"
                    + " not processed, not kept");
        });

        Exchange reprocess = fixture.exchange();
        reprocess.getMessage().setHeader("id", kept.get(0).quarantineId());
        new QuarantineAdmin(fixture.services()).reprocess(reprocess);
        assertThat(reprocess.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(409);
        assertThat(reprocess.getMessage().getBody(String.class)).contains("the sender must send the message again");
        assertThat(fixture.vault().listQuarantined()).as("the notice stays listed").hasSize(1);
    }
}
