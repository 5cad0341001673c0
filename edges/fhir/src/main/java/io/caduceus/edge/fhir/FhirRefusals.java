package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.VaultException;
import java.util.List;
import org.apache.camel.Exchange;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a write that was not stored: content or caller at fault with its status and an OperationOutcome
 * ({@link #rejected}), Caduceus unable to store it with 503 or a bug with 500 ({@link #failed}). Both are logged in
 * aggregate ({@link RefusalLog}), never with content.
 */
public final class FhirRefusals {

    private static final Logger LOG = LoggerFactory.getLogger(FhirRefusals.class);

    private final FhirContext fhir;
    private final RefusalLog refusals;

    FhirRefusals(FhirContext fhir) {
        this(fhir, new RefusalLog(LOG));
    }

    FhirRefusals(FhirContext fhir, RefusalLog refusals) {
        this.fhir = fhir;
        this.refusals = refusals;
    }

    /** Answers a rejection with its status and an OperationOutcome. */
    public void rejected(Exchange exchange) {
        Exception caught = exchange.getProperty(FhirExchange.REJECTION,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class), Exception.class);
        if (!(caught instanceof FhirRejection rejection)) {
            failed(exchange);
            return;
        }
        FhirExchange.Request request = exchange.getProperty(FhirExchange.REQUEST, FhirExchange.Request.class);
        String quarantineId = exchange.getProperty(FhirExchange.QUARANTINE_ID, String.class);
        exchange.getMessage().removeHeaders("*");
        if (rejection.wwwAuthenticate() != null) {
            exchange.getMessage().setHeader("WWW-Authenticate", rejection.wwwAuthenticate());
        }
        if (quarantineId != null) {
            exchange.getMessage().setHeader("X-Caduceus-Quarantine-Id", quarantineId);
        }
        refusals.refused(rejection.status() + (rejection.issues().isEmpty() ? "" : " " + rejection.issues().get(0).type().toCode()));
        FhirExchange.respond(fhir, exchange, rejection.status(), FhirExchange.responseFormat(request),
                OperationOutcomes.of(rejection.issues()));
    }

    /**
     * Caduceus could not make the request durable (vault or Kafka down): 503, and the client retries. Nothing is
     * quarantined; a retry with the same content lands on the same record id. A bug is 500.
     */
    public void failed(Exchange exchange) {
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        FhirExchange.Request request = exchange.getProperty(FhirExchange.REQUEST, FhirExchange.Request.class);
        boolean bug = caught instanceof NullPointerException || caught instanceof ClassCastException
                || caught instanceof IllegalStateException || caught instanceof IllegalArgumentException;
        if (caught instanceof VaultException v && !v.isRetriable()) {
            bug = true;
        }
        refusals.refused((bug ? 500 : 503) + " not stored, " + (caught == null ? "unknown" : caught.getClass().getSimpleName()));
        exchange.getMessage().removeHeaders("*");
        FhirRejection.Issue issue = FhirRejection.Issue.error(bug ? IssueType.EXCEPTION : IssueType.TRANSIENT,
                bug ? "internal error; the request was not stored" : "temporarily unable to store the request; please retry");
        if (!bug) {
            exchange.getMessage().setHeader("Retry-After", "5");
        }
        FhirExchange.respond(fhir, exchange, bug ? 500 : 503, FhirExchange.responseFormat(request), OperationOutcomes.of(List.of(issue)));
    }
}
