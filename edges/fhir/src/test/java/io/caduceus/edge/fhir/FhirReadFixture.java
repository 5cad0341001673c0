package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.ingest.vault.RecordVault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Resource;

/**
 * The setup of the read tests: a real file vault that the inbound bean fills as the route does, tokens of the test
 * issuer, and reads run through a reader's steps as the route calls them (the Kafka step is the route's).
 */
final class FhirReadFixture implements AutoCloseable {

    /** A read's outcome: the HTTP status, the body, the headers, and the access event left for Kafka (or null). */
    record Outcome(int status, String body, Map<String, Object> headers, String accessEvent) {

        <T extends Resource> T resource(Class<T> type) {
            return FhirTestBeans.FHIR.newJsonParser().parseResource(type, body);
        }

        Object retryAfter() {
            return headers.get("Retry-After");
        }
    }

    private final KeyPair key = TestTokens.rsa();
    private final CamelContext camel = new DefaultCamelContext();
    private final RecordVault vault;
    private final BearerTokenVerifier verifier;
    private final FhirInbound inbound;

    /** A vault under {@code dir}. */
    FhirReadFixture(Path dir) {
        vault = FhirTestBeans.vault(dir.resolve("vault"));
        verifier = FhirTestBeans.verifier(key);
        inbound = FhirTestBeans.inbound(vault, verifier, ProfileValidator.create(FhirTestBeans.FHIR, null));
    }

    RecordVault vault() {
        return vault;
    }

    /** A reader of the vault, as the application builds it, for callers with the test issuer's tokens. */
    FhirReader reader(LedgerIntegrity integrity, ReadConsent consent) {
        return new FhirReader(FhirTestBeans.FHIR, FhirTestBeans.SETTINGS, FhirAuthenticator.tokensOnly(verifier), vault,
                FhirTestBeans.RESOURCE_KEYS, FhirTestBeans.KEYS.keyFor(DeploymentKeys.Purpose.CALLER_ID), integrity,
                1000, consent);
    }

    /** Writes {@code body} (FHIR JSON) as FHIR inbound does, with a system write scope; its ledger entry. */
    LedgerEntry write(String interaction, String type, String id, String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(FhirExchange.INTERACTION, interaction);
        exchange.getMessage().setHeader("type", type);
        exchange.getMessage().setHeader("id", id);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/fhir+json");
        exchange.getMessage().setHeader("Authorization", bearer("system/*.write"));
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        try {
            inbound.callers().authenticate(exchange);
            inbound.store().receive(exchange);
        } catch (FhirRejection e) {
            throw new AssertionError("write refused: " + e.getMessage(), e);
        }
        return LedgerEntry.fromJson(exchange.getMessage().getBody(String.class));
    }

    /**
     * A read ({@code operation} "read" or "everything") through {@code reader}'s steps as the route calls them, by a
     * caller with {@code scope} (null: no token). The access event, when there is one, is keyed for Kafka by its id.
     */
    Outcome read(FhirReader reader, String operation, String type, String id, String scope) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setHeader("type", type);
        exchange.getMessage().setHeader("id", id);
        if (scope != null) {
            exchange.getMessage().setHeader("Authorization", bearer(scope));
        }
        String accessEvent = null;
        try {
            reader.authenticate(exchange);
            if ("everything".equals(operation)) {
                reader.everything(exchange);
            } else {
                reader.read(exchange);
            }
            accessEvent = exchange.getMessage().getBody(String.class);
            assertThat(exchange.getMessage().getHeader("kafka.KEY")).isEqualTo(exchange.getProperty(FhirReader.ACCESS_EVENT));
            reader.answer(exchange);
        } catch (FhirRejection e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            reader.rejected(exchange);
        }
        var m = exchange.getMessage();
        return new Outcome(m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), m.getBody(String.class),
                m.getHeaders(), accessEvent);
    }

    private String bearer(String scope) {
        return "Bearer " + TestTokens.sign("RS256", key.getPrivate(), TestTokens.claims(scope));
    }

    @Override
    public void close() {
        vault.close();
    }
}
