package io.caduceus.edge.consent;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.pseudonym.PatientPseudonymizer;
import io.caduceus.edge.access.ApiAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConsentApiTest {

    private static final String SYSTEM = "urn:oid:1.2.36.146.595.217.0.1";
    private static final String MRN = "MRN-CONSENT-1";
    private static final PatientPseudonymizer PSEUDONYMIZER = new PatientPseudonymizer(filled(3));
    private static final String PSEUDONYM = PSEUDONYMIZER.pseudonymize(SYSTEM, MRN).value();
    private static final String BY_MRN = "\"identifierSystem\":\"" + SYSTEM + "\",\"identifierValue\":\"" + MRN + "\"";

    private final CamelContext camel = new DefaultCamelContext();
    private final FakeConsentLedger ledger = new FakeConsentLedger();
    private volatile boolean configured = true;
    private final ConsentChecks checks = new ConsentChecks(() -> configured ? Optional.of(ledger) : Optional.empty(),
            new ConsentSettings(ConsentMode.USER, Duration.ofMinutes(1), 100));
    private final ConsentApi api = new ConsentApi(checks, PSEUDONYMIZER, Clock.fixed(ledger.now, ZoneOffset.UTC));

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    @AfterEach
    void close() throws Exception {
        camel.close();
    }

    private Exchange call(Consumer<Exchange> method, String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(ApiAccess.CALLER_ID, "privacy-desk");
        exchange.getMessage().setBody(body);
        method.accept(exchange);
        return exchange;
    }

    private static int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static Map<Object, Object> json(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        assertThat(body).as("no identifier or pseudonym in any answer").doesNotContain(MRN).doesNotContain(PSEUDONYM)
                .doesNotContain(PSEUDONYM.substring(4));
        @SuppressWarnings("unchecked")
        Map<Object, Object> map = (Map<Object, Object>) CanonicalJson.parse(body);
        return map;
    }

    @Test
    void aGrantByIdentifierIsOnTheLedgerForTheSamePseudonymIngestUsesAndAnswersItsTransaction() {
        Exchange granted = call(api::grant, "{" + BY_MRN + ",\"grantee\":\"it-client\",\"expiresAt\":\"2030-06-01T00:00:00Z\"}");
        assertThat(status(granted)).isEqualTo(201);
        Map<Object, Object> body = json(granted);
        assertThat(body.get("status")).isEqualTo("granted");
        assertThat(body.get("transactionId")).isEqualTo("tx1");
        assertThat(body.get("expiresAt")).isEqualTo("2030-06-01T00:00:00Z");
        assertThat(body.get("grantee")).isEqualTo("it-client");
        assertThat(ledger.checkAccess(PSEUDONYM, "it-client").allowed()).isTrue();

        Exchange byPseudonym = call(api::check, "{\"pseudonym\":\"" + PSEUDONYM + "\",\"grantee\":\"it-client\"}");
        assertThat(status(byPseudonym)).isEqualTo(200);
        assertThat(json(byPseudonym).get("allowed")).isEqualTo(true);
    }

    @Test
    void aRevocationEndsTheGrantAtOnceOnThisInstanceAndAnUnknownGrantIs404() {
        checks.check(PSEUDONYM, "it-client"); // a refusal kept by the read path
        call(api::grant, "{" + BY_MRN + ",\"grantee\":\"it-client\"}");
        assertThat(checks.check(PSEUDONYM, "it-client").allowed()).as("the grant forgot the kept refusal").isTrue();

        Exchange revoked = call(api::revoke, "{" + BY_MRN + ",\"grantee\":\"it-client\"}");
        assertThat(status(revoked)).isEqualTo(200);
        assertThat(json(revoked)).containsEntry("status", "revoked").containsKey("revokedAt").containsKey("transactionId");
        assertThat(checks.check(PSEUDONYM, "it-client").allowed()).as("the revocation forgot the kept grant").isFalse();

        Exchange unknown = call(api::revoke, "{" + BY_MRN + ",\"grantee\":\"never-granted\"}");
        assertThat(status(unknown)).isEqualTo(404);
        json(unknown);
    }

    @Test
    void malformedRequestsAre400AndQuoteNothing() {
        for (String body : new String[] {
            "not json " + MRN,
            "[]",
            "{\"grantee\":\"it-client\"}",
            "{" + BY_MRN + "}",
            "{" + BY_MRN + ",\"grantee\":\"has space\"}",
            "{" + BY_MRN + ",\"grantee\":\"role:writer\"}",
            "{" + BY_MRN + ",\"grantee\":\"c\",\"expires\":\"2030-06-01T00:00:00Z\"}",
            "{" + BY_MRN + ",\"grantee\":\"c\",\"expiresAt\":\"next week\"}",
            "{" + BY_MRN + ",\"grantee\":\"c\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}",
            "{\"pseudonym\":\"pp1_nothex\",\"grantee\":\"c\"}",
            "{\"pseudonym\":\"" + PSEUDONYM + "\"," + BY_MRN + ",\"grantee\":\"c\"}"}) {
            Exchange answered = call(api::grant, body);
            assertThat(status(answered)).as(body).isEqualTo(400);
            assertThat(json(answered).get("error").toString()).as(body).doesNotContain("expires\"");
        }
        assertThat(status(call(api::revoke, "{" + BY_MRN + ",\"grantee\":\"c\",\"expiresAt\":\"2030-06-01T00:00:00Z\"}")))
                .as("a revocation has no expiry").isEqualTo(400);
        assertThat(ledger.checks).hasValue(0);
    }

    @Test
    void withoutALedgerOrWhenItDoesNotAnswerTheAnswerIs503AndSaysWhy() {
        configured = false;
        Exchange none = call(api::grant, "{" + BY_MRN + ",\"grantee\":\"it-client\"}");
        assertThat(status(none)).isEqualTo(503);
        assertThat(json(none).get("error").toString()).contains("none is configured");
        assertThat(none.getMessage().getHeader("Retry-After")).isEqualTo("5");

        configured = true;
        ledger.down = FakeConsentLedger.unavailable();
        Exchange down = call(api::revoke, "{" + BY_MRN + ",\"grantee\":\"it-client\"}");
        assertThat(status(down)).isEqualTo(503);
        assertThat(json(down).get("error").toString()).contains("did not answer").contains("UNAVAILABLE");

        ledger.down = new LedgerException(LedgerException.Kind.FORBIDDEN, "GrantAccess failed: caller may not manage consent");
        Exchange forbidden = call(api::grant, "{" + BY_MRN + ",\"grantee\":\"it-client\"}");
        assertThat(status(forbidden)).as("a refusal the caller cannot fix").isEqualTo(502);
        json(forbidden);
    }

    @Test
    void anExpiryTheLedgersClockFindsPastIs400() {
        // Our clock is behind the ledger's: the fake ledger refuses an expiry not after its own time.
        ledger.now = ledger.now.plusSeconds(120);
        Exchange answered = call(api::grant, "{" + BY_MRN + ",\"grantee\":\"it-client\",\"expiresAt\":\""
                + ledger.now.minusSeconds(60) + "\"}");
        assertThat(status(answered)).isEqualTo(400);
        assertThat(json(answered).get("error").toString()).contains("ledger's time");
    }
}
