package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.LedgerEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bean's steps as the route calls them, with a real file vault and no Kafka (the route's step). */
class FhirInboundTest {

    private static final KeyPair KEY = TestTokens.rsa();
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    static Path work;

    private static CamelContext camel;
    private static RecordVault vault;
    private static FhirInbound inbound;

    @BeforeAll
    static void start() {
        camel = new DefaultCamelContext();
        vault = FhirTestBeans.vault(work.resolve("vault"));
        inbound = FhirTestBeans.inbound(vault, FhirTestBeans.verifier(KEY), ProfileValidator.create(FHIR, null));
    }

    @AfterAll
    static void stop() {
        vault.close();
    }

    private static Exchange request(String interaction, String type, String id, String body, String scope) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(FhirExchange.INTERACTION, interaction);
        exchange.getMessage().setHeader("type", type);
        exchange.getMessage().setHeader("id", id);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/fhir+json");
        if (scope != null) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + TestTokens.sign("RS256", KEY.getPrivate(), TestTokens.claims(scope)));
        }
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    /** Runs authenticate and receive; returns the rejection, or null when the request got to the Kafka step. */
    private static FhirRejection process(Exchange exchange) {
        try {
            inbound.callers().authenticate(exchange);
            inbound.store().receive(exchange);
            return null;
        } catch (FhirRejection e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            return e;
        }
    }

    private static OperationOutcome answeredOutcome(Exchange exchange) {
        inbound.quarantine().quarantine(exchange);
        inbound.refusals().rejected(exchange);
        return FHIR.newJsonParser().parseResource(OperationOutcome.class, exchange.getMessage().getBody(String.class));
    }

    @Test
    void aValidCreateIsStoredAndItsLedgerEntryHoldsNoPatientData() {
        Exchange exchange = request("create", "Patient", null, FhirSamples.patient("MRN-100"), "system/Patient.write");
        assertThat(process(exchange)).isNull();
        String ledgerJson = exchange.getMessage().getBody(String.class);
        LedgerEntry entry = LedgerEntry.fromJson(ledgerJson);
        assertThat(ledgerJson).doesNotContain(FhirSamples.CANARY).doesNotContain("MRN-100");
        assertThat(entry.messageType()).isEqualTo("fhir:Patient:create");
        assertThat(entry.source().toString()).isEqualTo("test-client^fhir");
        assertThat(entry.patientPseudonym()).isPresent();
        assertThat(exchange.getMessage().getHeader("kafka.KEY")).isEqualTo(entry.recordId().value());
        assertThat(exchange.getMessage().getHeader("Authorization")).as("no request header travels to Kafka").isNull();

        VaultRecord record = vault.get(entry.recordId().value()).orElseThrow();
        assertThat(new String(record.canonicalBundle(), StandardCharsets.UTF_8)).startsWith("{\"birthDate\"").contains(FhirSamples.CANARY);
        assertThat(record.originalMessage()).isEqualTo(FhirSamples.patient("MRN-100").getBytes(StandardCharsets.UTF_8));

        inbound.acknowledger().accepted(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(201);
        assertThat(exchange.getMessage().getHeader("X-Caduceus-Record-Id")).isEqualTo(entry.recordId().value());
        assertThat(exchange.getMessage().getHeader("Location", String.class)).startsWith("/fhir/Patient/" + entry.recordId().hex() + "/");
        assertThat(entry.recordId().value()).startsWith("r2_");
        assertThat(exchange.getMessage().getHeader("Link", String.class)).contains("/api/proofs/" + entry.recordId().value());
        assertThat(exchange.getMessage().getHeader("ETag", String.class)).startsWith("W/\"");
    }

    @Test
    void aRetryOfIdenticalContentLandsOnTheSameRecordWithTheSameCommitment() {
        Exchange first = request("create", "Patient", null, FhirSamples.patient("MRN-200"), "system/*.write");
        Exchange second = request("create", "Patient", null, FhirSamples.patient("MRN-200").replace(",", " , "), "system/*.write");
        assertThat(process(first)).isNull();
        assertThat(process(second)).isNull();
        LedgerEntry a = LedgerEntry.fromJson(first.getMessage().getBody(String.class));
        LedgerEntry b = LedgerEntry.fromJson(second.getMessage().getBody(String.class));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void anUpdateNeedsTheUrlIdInTheBody() {
        String withId = FhirSamples.patient("MRN-300").replace("{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"id\":\"p300\",");
        Exchange ok = request("update", "Patient", "p300", withId, "user/Patient.u");
        assertThat(process(ok)).isNull();
        inbound.acknowledger().accepted(ok);
        assertThat(ok.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        assertThat(ok.getMessage().getHeader("Location", String.class)).startsWith("/fhir/Patient/p300/_history/");
        assertThat(process(request("update", "Patient", "other", withId, "user/Patient.u")).status()).isEqualTo(400);
    }

    @Test
    void anIdStaysWithItsPatientSoAnotherPatientCannotShadowItsReads() {
        String first = FhirSamples.patient("MRN-310").replace("{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"id\":\"p310\",");
        assertThat(process(request("update", "Patient", "p310", first, "system/Patient.write"))).isNull();

        String someoneElse = first.replace("MRN-310", "MRN-311");
        FhirRejection shadow = process(request("update", "Patient", "p310", someoneElse, "system/Patient.write"));
        assertThat(shadow).isNotNull();
        assertThat(shadow.status()).isEqualTo(409);
        String noPatient = first.replaceFirst("\"identifier\":\\[[^\\]]*\\],", "");
        assertThat(noPatient).doesNotContain("MRN-310");
        assertThat(process(request("update", "Patient", "p310", noPatient, "system/Patient.write")).status())
                .as("nor content naming no patient").isEqualTo(409);

        String samePatientLater = first.replace("1970-01-01", "1970-01-02");
        assertThat(process(request("update", "Patient", "p310", samePatientLater, "system/Patient.write")))
                .as("the same patient's own update is fine").isNull();
    }

    @Test
    void aTransactionIsOneRecordAndAnswersATransactionResponse() {
        Exchange exchange = request("bundle", null, null, FhirSamples.transaction("MRN-400", 9), "system/Patient.c system/Observation.c");
        assertThat(process(exchange)).isNull();
        LedgerEntry entry = LedgerEntry.fromJson(exchange.getMessage().getBody(String.class));
        assertThat(entry.messageType()).isEqualTo("fhir:Bundle:transaction");
        assertThat(entry.patientPseudonym()).isPresent();
        inbound.acknowledger().accepted(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
        Bundle response = FHIR.newJsonParser().parseResource(Bundle.class, exchange.getMessage().getBody(String.class));
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
        assertThat(response.getEntry()).hasSize(10).allSatisfy(e -> assertThat(e.getResponse().getStatus()).isEqualTo("201 Created"));
        assertThat(response.getEntry()).extracting(e -> e.getResponse().getLocation()).doesNotHaveDuplicates();
    }

    @Test
    void aTransactionNeedsAScopeForEveryEntry() {
        FhirRejection e = process(request("bundle", null, null, FhirSamples.transaction("MRN-500", 2), "system/Patient.write"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.wwwAuthenticate()).contains("insufficient_scope").contains("system/Observation.c");
    }

    @Test
    void underScopedMissingAndBadTokensAreRefusedAndNotQuarantined() {
        int before = vault.listQuarantined().size();
        Exchange readOnly = request("create", "Patient", null, FhirSamples.patient("MRN-600"), "system/Patient.read");
        assertThat(process(readOnly).status()).isEqualTo(403);
        OperationOutcome outcome = answeredOutcome(readOnly);
        assertThat(readOnly.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(403);
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);

        Exchange anonymous = request("create", "Patient", null, FhirSamples.patient("MRN-600"), null);
        assertThat(process(anonymous).status()).isEqualTo(401);
        answeredOutcome(anonymous);
        assertThat(anonymous.getMessage().getHeader("WWW-Authenticate", String.class)).startsWith("Bearer");
        assertThat(vault.listQuarantined()).hasSize(before);
    }

    @Test
    void contentErrorsAreQuarantinedAndAnsweredWithAnOperationOutcome() {
        record Case(String interaction, String type, String body, int status) {
        }
        List<Case> cases = List.of(
                new Case("create", "Patient", "{not json " + FhirSamples.CANARY, 400),
                new Case("create", "Patient", FhirSamples.transaction("MRN-700", 1), 400),
                new Case("create", "Observation", FhirSamples.patient("MRN-700"), 400),
                new Case("create", "Patient", FhirSamples.patient("MRN-700").replace("\"female\"", "\"robot\""), 422),
                new Case("create", "Patient", "{\"resourceType\":\"Patient\",\"extension\":" + "[".repeat(80) + "]".repeat(80) + "}", 400),
                new Case("create", "Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + "x".repeat(200_000) + "\"}]}", 413),
                new Case("create", "Robot", FhirSamples.patient("MRN-700"), 400),
                new Case("bundle", null, FhirSamples.transaction("MRN-700", 1).replace("\"transaction\"", "\"collection\""), 400));
        for (Case c : cases) {
            int before = vault.listQuarantined().size();
            Exchange exchange = request(c.interaction(), c.type(), null, c.body(), "system/*.write");
            FhirRejection rejection = process(exchange);
            assertThat(rejection).as(c.body().substring(0, Math.min(80, c.body().length()))).isNotNull();
            assertThat(rejection.status()).as(rejection.getMessage()).isEqualTo(c.status());
            OperationOutcome outcome = answeredOutcome(exchange);
            assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(c.status());
            assertThat(exchange.getMessage().getHeader("X-Caduceus-Quarantine-Id")).isNotNull();
            assertThat(outcome.getIssue()).isNotEmpty().allSatisfy(i -> {
                assertThat(i.getSeverity()).isIn(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueSeverity.FATAL);
                assertThat(i.getDiagnostics()).isNotBlank().doesNotContain(FhirSamples.CANARY).doesNotContain("robot");
            });
            assertThat(vault.listQuarantined()).hasSize(before + 1);
            assertThat(vault.listQuarantined().get(before).reason()).startsWith(String.valueOf(c.status()));
        }
    }

    @Test
    void metadataIsServedInTheRequestedFormat() throws Exception {
        Exchange json = new DefaultExchange(camel);
        inbound.metadata().capabilities(json);
        assertThat(json.getMessage().getBody(String.class)).contains("\"resourceType\": \"CapabilityStatement\"");
        Exchange xml = new DefaultExchange(camel);
        xml.getMessage().setHeader("_format", "xml");
        inbound.metadata().capabilities(xml);
        assertThat(xml.getMessage().getBody(String.class)).contains("<CapabilityStatement");
        assertThat(xml.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class)).startsWith("application/fhir+xml");
    }

    @Test
    void aFailureAfterTheVaultIsA503AndTheRetryFindsTheRecord() {
        Exchange exchange = request("create", "Patient", null, FhirSamples.patient("MRN-800"), "system/*.write");
        assertThat(process(exchange)).isNull();
        String recordId = exchange.getMessage().getHeader("kafka.KEY", String.class);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new org.apache.kafka.common.errors.TimeoutException("broker down"));
        inbound.refusals().failed(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(exchange.getMessage().getHeader("Retry-After")).isNotNull();
        Exchange retry = request("create", "Patient", null, FhirSamples.patient("MRN-800"), "system/*.write");
        assertThat(process(retry)).isNull();
        assertThat(retry.getMessage().getHeader("kafka.KEY")).isEqualTo(recordId);
    }

    @Test
    void aStoreTimeoutIsA503TheClientShouldRetry() {
        Exchange exchange = request("create", "Patient", null, FhirSamples.patient("MRN-801"), "system/*.write");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new io.caduceus.edge.store.StoreTimeoutException(
                "vault or Kafka did not take the message within 10000 ms", null));
        inbound.refusals().failed(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(exchange.getMessage().getHeader("Retry-After")).isNotNull();
        OperationOutcome outcome = FHIR.newJsonParser().parseResource(OperationOutcome.class, exchange.getMessage().getBody(String.class));
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
    }

    @Test
    void aRefusalOfTheOpenStoreBreakerIsA503TheClientShouldRetry() {
        Exchange exchange = request("create", "Patient", null, FhirSamples.patient("MRN-802"), "system/*.write");
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, new io.caduceus.edge.store.StoreRefusedException(
                "the vault or Kafka failed just now; not tried (store breaker open)"));
        inbound.refusals().failed(exchange);
        assertThat(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(503);
        assertThat(exchange.getMessage().getHeader("Retry-After")).isNotNull();
        OperationOutcome outcome = FHIR.newJsonParser().parseResource(OperationOutcome.class, exchange.getMessage().getBody(String.class));
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
    }
}
