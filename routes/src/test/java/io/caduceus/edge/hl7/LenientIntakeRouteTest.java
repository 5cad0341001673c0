package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.MessageId;
import io.caduceus.core.domain.SourceSystem;
import io.caduceus.routes.AppWithoutKafka;
import io.caduceus.edge.mllp.MllpClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lenient against strict acceptance through the shipped ingest route (Kafka sends skipped, as in
 * {@link ApplicationAckRouteTest}): the same faulty vaccination message is stored with a warning for a lenient sender
 * and refused and quarantined for a sender configured strict; required fields stay errors for both.
 */
class LenientIntakeRouteTest {

    @TempDir
    static Path tmp;

    private static Main main;
    private static int mllpPort;
    private static final MllpClient CLIENT = new MllpClient(Duration.ofSeconds(5), Duration.ofSeconds(60), 65536);
    /** The lot number one field late: RXA-16, the expiration date, holds it. */
    private static final String SHIFTED_LOT = "HB7734K";

    @BeforeAll
    static void start() throws Exception {
        mllpPort = AppWithoutKafka.freePort();
        main = AppWithoutKafka.start(tmp,
                "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + mllpPort,
                "caduceus.hl7.strict-senders=STRICTREG^*");
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
    }

    private static String vxu(String sender, String controlId, String msh1516, String pid3, String birthAndSex,
            String rxa3, String lotAndExpiry) {
        return "MSH|^~\\&|" + sender + "|CADUCEUS_PED|CADUCEUS|CADUCEUS_HUB|20240310103000-0500||VXU^V04^VXU_V04|" + controlId
                + "|P|2.5.1" + msh1516 + "\r"
                + "PID|1||" + pid3 + "||Kowalczyk^Lena^Maria^^^^L||" + birthAndSex + "|||17 Elm Street^^Springfield^IL^62701^USA^H\r"
                + "ORC|RE||IZ-783274^CADUCEUS_PED\r"
                + "RXA|0|1|" + rxa3 + "||08^Hep B, adolescent or pediatric^CVX|0.5|mL^milliliters^UCUM||00^New immunization record^NIP001|"
                + "NP1234^Nurse^Nancy|||||" + lotAndExpiry + "|MSD^Merck and Co., Inc.^MVX|||CP|A\r";
    }

    private static String shifted(String sender, String controlId, String msh1516) {
        return vxu(sender, controlId, msh1516, "PED778899^^^CADUCEUS_PED^MR", "20230115|F", "20240310101500-0500",
                "|" + SHIFTED_LOT + "|20251231");
    }

    private static String send(String message) throws IOException {
        return new String(CLIENT.send("127.0.0.1", mllpPort, message.getBytes(StandardCharsets.ISO_8859_1)),
                StandardCharsets.ISO_8859_1);
    }

    private static IngestServices services() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("ingestServices", IngestServices.class);
    }

    private static Optional<VaultRecord> stored(String sender, String controlId) {
        String recordId = services().recordIds()
                .candidates(new MessageId(new SourceSystem(sender, "CADUCEUS_PED"), controlId)).get(0).value();
        return services().vault().get(recordId);
    }

    private static String quarantine() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("quarantineAdmin", QuarantineAdmin.class).list();
    }

    @Test
    void aLenientSenderGetsAaWithAWarningAndTheMessageIsStoredWithoutTheBadValue() throws Exception {
        String message = shifted("IMMREG", "LEN-1", "");
        String ack = send(message);

        assertThat(ack).contains("\rMSA|AA|LEN-1\r")
                .contains("\rERR||RXA^1^16^1|102^Data type error^HL70357|W||||")
                .doesNotContain(SHIFTED_LOT);
        VaultRecord record = stored("IMMREG", "LEN-1").orElseThrow();
        assertThat(record.originalMessage()).isEqualTo(message.getBytes(StandardCharsets.ISO_8859_1));
        String bundle = new String(record.canonicalBundle(), StandardCharsets.UTF_8);
        assertThat(bundle).contains("\"resourceType\":\"Immunization\"").doesNotContain("\"expirationDate\":")
                .contains("\"resourceType\":\"OperationOutcome\"").contains("\"expression\":[\"Immunization.expirationDate\"]")
                .doesNotContain(SHIFTED_LOT);
        assertThat(quarantine()).doesNotContain("LEN-1");
    }

    @Test
    void aStrictSenderGetsAeAndTheMessageIsQuarantinedAsBefore() throws Exception {
        String message = shifted("STRICTREG", "STR-1", "");
        String ack = send(message);

        assertThat(ack).contains("\rMSA|AE|STR-1|").contains("\rERR||RXA^1^16^1|102^Data type error^HL70357|E||||");
        assertThat(stored("STRICTREG", "STR-1")).isEmpty();
        assertThat(quarantine()).contains("STR-1");
    }

    @Test
    void inEnhancedModeTheCommitAckSaysStoredAndTheApplicationAckCarriesTheWarning() throws Exception {
        // MSH-15 AL, MSH-16 NE: the commit acknowledgement alone.
        String commit = send(shifted("IMMREG", "LEN-2", "|||AL|NE"));
        assertThat(commit).contains("\rMSA|CA|LEN-2\r").doesNotContain("\rERR|");
        // MSH-15 NE, MSH-16 AL, no destination configured: the application acknowledgement alone, on this connection.
        String application = send(shifted("IMMREG", "LEN-3", "|||NE|AL"));
        assertThat(application).contains("\rMSA|AA|LEN-3\r").contains("\rERR||RXA^1^16^1|102^Data type error^HL70357|W");
        assertThat(stored("IMMREG", "LEN-2")).isPresent();
        assertThat(stored("IMMREG", "LEN-3")).isPresent();
    }

    @Test
    void mutantsOfOptionalFieldsAreWarningsForLenientSendersAndErrorsForStrictOnes() throws Exception {
        String badBirthDate = vxu("IMMREG", "LEN-4", "", "PED1^^^CADUCEUS_PED^MR", "20231345|F", "20240310101500-0500",
                "LOT1|20251231");
        assertThat(send(badBirthDate)).contains("\rMSA|AA|LEN-4\r").contains("\rERR||PID^1^7^1|102^Data type error^HL70357|W");
        assertThat(send(badBirthDate.replace("IMMREG", "STRICTREG"))).contains("\rMSA|AE|LEN-4|")
                .contains("\rERR||PID^1^7^1|102^");

        String badSex = vxu("IMMREG", "LEN-5", "", "PED1^^^CADUCEUS_PED^MR", "20230115|Q7", "20240310101500-0500",
                "LOT1|20251231");
        assertThat(send(badSex)).contains("\rMSA|AA|LEN-5\r").contains("\rERR||PID^1^8^1|103^Table value not found^HL70357|W");
        // Strict mode leaves an unknown code out silently, as it always has.
        assertThat(send(badSex.replace("IMMREG", "STRICTREG"))).endsWith("\rMSA|AA|LEN-5\r");
    }

    @Test
    void requiredFieldsStayErrorsWithQuarantineForLenientSenders() throws Exception {
        String noPatientId = vxu("IMMREG", "LEN-6", "", "", "20230115|F", "20240310101500-0500", "LOT1|20251231");
        assertThat(send(noPatientId)).contains("\rMSA|AE|LEN-6|").contains("\rERR||PID^1^3^1|101^Required field missing^HL70357|E");
        String badAdministrationTime = vxu("IMMREG", "LEN-7", "", "PED1^^^CADUCEUS_PED^MR", "20230115|F",
                "2024031X101500", "LOT1|20251231");
        assertThat(send(badAdministrationTime)).contains("\rMSA|AE|LEN-7|").contains("\rERR||RXA^1^3^1|102^");
        assertThat(stored("IMMREG", "LEN-6")).isEmpty();
        assertThat(stored("IMMREG", "LEN-7")).isEmpty();
        assertThat(quarantine()).contains("LEN-6").contains("LEN-7");
    }

    @Test
    void aMalformedSenderListStopsTheStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SenderMappingModes.parse("lenient", "HIS", ""))
                .hasMessageContaining("caduceus.hl7.strict-senders");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SenderMappingModes.parse("lenient", "HIS^A", "HIS^A"))
                .hasMessageContaining("listed twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SenderMappingModes.parse("sloppy", "", ""))
                .hasMessageContaining("caduceus.hl7.mapping-mode");
        SenderMappingModes modes = SenderMappingModes.parse("strict", "", "LAB^*,HIS^EAST");
        assertThat(modes.forSender("LAB", "ANY")).isEqualTo(io.caduceus.hl7.mapping.MappingMode.LENIENT);
        assertThat(modes.forSender("HIS", "EAST")).isEqualTo(io.caduceus.hl7.mapping.MappingMode.LENIENT);
        assertThat(modes.forSender("HIS", "WEST")).isEqualTo(io.caduceus.hl7.mapping.MappingMode.STRICT);
    }
}
