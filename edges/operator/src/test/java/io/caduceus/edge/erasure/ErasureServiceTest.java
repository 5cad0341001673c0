package io.caduceus.edge.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.RecordErasedException;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.edge.access.ApiAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErasureServiceTest {

    private static final String SYSTEM = "urn:id:GENERAL";
    private static final String MRN = "MRN-ZZCANARY-4711";

    @TempDir
    Path dir;

    private final DefaultCamelContext camel = new DefaultCamelContext();
    private FileRecordVault vault;
    private PatientPseudonymizer pseudonymizer;
    private ErasureService service;

    @BeforeEach
    void open() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        pseudonymizer = new PatientPseudonymizer(secret);
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        vault = FileRecordVault.open(dir.resolve("vault"), MasterKey.of(master));
        service = new ErasureService(vault, pseudonymizer);
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
        camel.close();
    }

    @Test
    void aKnownPatientIsErasedWithAnEventNamingCallerAndReasonAndNoIdentifier() {
        String pseudonym = pseudonymizer.pseudonymize(SYSTEM, MRN).value();
        vault.put(record("rec-1", pseudonym));

        Exchange exchange = request(body(MRN, "patient asked in writing"), "privacy-officer-7");
        service.request(exchange);
        assertThat(service.due(exchange)).isTrue();
        String event = exchange.getMessage().getBody(String.class);
        Map<?, ?> parsed = (Map<?, ?>) CanonicalJson.parse(event);
        assertThat(parsed.get("event")).isEqualTo("patient-erased");
        assertThat(parsed.get("patientPseudonym")).isEqualTo(pseudonym);
        assertThat(parsed.get("requestedBy")).isEqualTo("privacy-officer-7");
        assertThat(parsed.get("reason")).isEqualTo("patient asked in writing");
        assertThat(event).doesNotContain(MRN).doesNotContain(SYSTEM);
        assertThat(exchange.getMessage().getHeader("kafka.KEY")).isEqualTo(pseudonym);
        assertThat(vault.get("rec-1")).as("the key is destroyed only after the event is written").isPresent();

        service.erase(exchange);
        assertThatThrownBy(() -> vault.get("rec-1")).isInstanceOf(RecordErasedException.class);
        assertAnswer(exchange);
    }

    @Test
    void anUnknownIdentifierIsAnsweredAlikeAndLeavesNoTrace() throws Exception {
        String known = pseudonymizer.pseudonymize(SYSTEM, "MRN-KNOWN").value();
        vault.put(record("rec-1", known));
        byte[] keysBefore = Files.readAllBytes(dir.resolve("vault/keys.log"));

        Exchange unknown = request(body(MRN, "guessing"), null);
        service.request(unknown);
        assertThat(service.due(unknown)).isFalse();
        assertThat(unknown.getMessage().getHeader("kafka.KEY")).isNull();
        service.erase(unknown);
        assertAnswer(unknown);
        assertThat(Files.readAllBytes(dir.resolve("vault/keys.log"))).isEqualTo(keysBefore);
        // No tombstone: the guessed MRN's first record is stored and read as anyone's.
        String guessed = pseudonymizer.pseudonymize(SYSTEM, MRN).value();
        vault.put(record("rec-2", guessed));
        assertThat(vault.get("rec-2")).isPresent();

        // A known patient erased already is answered alike too, and records nothing again.
        Exchange first = request(body("MRN-KNOWN", "asked"), null);
        service.request(first);
        service.erase(first);
        Exchange again = request(body("MRN-KNOWN", "asked again"), null);
        service.request(again);
        assertThat(service.due(again)).isFalse();
        service.erase(again);
        assertAnswer(again);
        assertThat(first.getMessage().getBody(String.class)).isEqualTo(again.getMessage().getBody(String.class));
    }

    @Test
    void theCallerDefaultsToUnknownWhenTheApiDidNotNameOne() {
        vault.put(record("rec-1", pseudonymizer.pseudonymize(SYSTEM, MRN).value()));
        Exchange exchange = request(body(MRN, "court order"), null);
        service.request(exchange);
        assertThat(exchange.getMessage().getBody(String.class)).contains("\"requestedBy\":\"unknown\"");
    }

    @Test
    void aRequestWithoutAReasonOrWithAnOverlongOneIsRefusedAndErasesNothing() {
        String pseudonym = pseudonymizer.pseudonymize(SYSTEM, MRN).value();
        vault.put(record("rec-1", pseudonym));
        for (String bad : new String[] {
                "{\"identifierSystem\":\"" + SYSTEM + "\",\"identifierValue\":\"" + MRN + "\"}",
                body(MRN, "   "),
                body(MRN, "x".repeat(ErasureService.MAX_REASON_LENGTH + 1)),
                "{\"identifierValue\":\"" + MRN + "\",",
                "[\"" + MRN + "\"]"}) {
            Exchange exchange = request(bad, null);
            service.request(exchange);
            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).as(bad).isEqualTo(400);
            assertThat(exchange.isRouteStop()).isTrue();
            assertThat(service.due(exchange)).isFalse();
            assertThat(exchange.getMessage().getBody(String.class)).doesNotContain(MRN).doesNotContain(pseudonym);
        }
        assertThat(vault.get("rec-1")).isPresent();
    }

    private Exchange request(String body, String callerId) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body);
        exchange.getMessage().setHeader("CamelHttpMethod", "POST");
        if (callerId != null) {
            exchange.setProperty(ApiAccess.CALLER_ID, callerId);
        }
        return exchange;
    }

    private static String body(String mrn, String reason) {
        return CanonicalJson.write(Map.of("identifierSystem", SYSTEM, "identifierValue", mrn, "reason", reason));
    }

    private static void assertAnswer(Exchange exchange) {
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(exchange.getMessage().getBody(String.class)).isEqualTo("{\"status\":\"processed\"}");
        assertThat(exchange.getMessage().getHeaders().keySet()).containsExactlyInAnyOrder(Exchange.HTTP_RESPONSE_CODE, Exchange.CONTENT_TYPE);
    }

    private static VaultRecord record(String id, String pseudonym) {
        byte[] salt = new byte[VaultRecord.SALT_LENGTH];
        return new VaultRecord(id, pseudonym, salt, "application/fhir+json", "{}".getBytes(StandardCharsets.UTF_8),
                ("PID|1||" + MRN).getBytes(StandardCharsets.ISO_8859_1), Instant.now());
    }
}
