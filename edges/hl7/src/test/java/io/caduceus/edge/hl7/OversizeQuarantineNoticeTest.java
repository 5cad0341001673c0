package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.QuarantinedMessage;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.edge.mllp.MllpOversizeFrame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quarantine's notice of a message over the MLLP size limit: sender, control id and size, never content. */
class OversizeQuarantineNoticeTest {

    private static final String MSH = "MSH|^~\\&|LAB|NORTH|CADUCEUS|HOSPITAL|20260101120000||ORU^R01|HUGE-3|P|2.5.1";

    @TempDir
    Path dir;

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private IngestServices services;

    @BeforeEach
    void open() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        services = new IngestServices(FileRecordVault.open(dir, MasterKey.of(master)), Hl7ToFhirMapper.builder(), secret, false);
    }

    @AfterEach
    void close() throws Exception {
        services.close();
        camel.close();
    }

    @Test
    void theNoticeNamesSenderControlIdAndSizeKeepsNoContentAndCannotBeReprocessed() {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(new MllpOversizeFrame(MSH.getBytes(StandardCharsets.ISO_8859_1), 30_000_000L, 16_777_216));
        Hl7RejectedException rejection = catchThrowableOfType(() -> new Hl7Intake(services).accept(exchange),
                Hl7RejectedException.class);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, rejection);

        new Hl7Quarantine(services).quarantine(exchange);

        String notice = exchange.getMessage().getBody(String.class);
        assertThat(notice).contains("\"sizeBytes\":30000000").contains("\"limitBytes\":16777216")
                .contains("\"contentKept\":false").contains("\"sendingApplication\":\"LAB\"")
                .contains("\"sendingFacility\":\"NORTH\"").contains("\"hl7ErrorCode\":207").doesNotContain("MSH|");
        List<QuarantinedMessage> kept = services.vault().listQuarantined();
        assertThat(kept).singleElement().satisfies(q -> {
            assertThat(q.originalMessageId()).isEqualTo("LAB^NORTH^HUGE-3");
            assertThat(q.originalBytes()).as("no content, not even the MSH").isEmpty();
            assertThat(q.reason()).isEqualTo("207 message of 30000000 bytes exceeds the size limit of 16777216 bytes;"
                    + " not processed, not kept");
        });

        Exchange reprocess = new DefaultExchange(camel);
        reprocess.getMessage().setHeader("id", kept.get(0).quarantineId());
        new QuarantineAdmin(services).reprocess(reprocess);
        assertThat(reprocess.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(409);
        assertThat(reprocess.getMessage().getBody(String.class)).contains("the sender must send the message again");
        assertThat(services.vault().listQuarantined()).as("the notice stays listed").hasSize(1);
    }
}
