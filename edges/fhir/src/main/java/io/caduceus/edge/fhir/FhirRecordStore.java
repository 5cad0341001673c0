package io.caduceus.edge.fhir;

import io.caduceus.core.domain.LedgerEntry;
import org.apache.camel.Exchange;

/** Stores what {@link FhirIntake} accepted in the vault (409 on a conflict); durable when it returns. */
public final class FhirRecordStore {

    private final FhirIntake intake;
    private final FhirRecords records;

    FhirRecordStore(FhirIntake intake, FhirRecords records) {
        this.intake = intake;
        this.records = records;
    }

    /** Checks first if the intake has not; leaves the ledger entry as the body for Kafka. */
    public void receive(Exchange exchange) throws FhirRejection {
        if (exchange.getProperty(FhirExchange.PREPARED) == null) {
            intake.check(exchange);
        }
        FhirExchange.Result result = persist(exchange.getProperty(FhirExchange.PREPARED, FhirExchange.Prepared.class));
        exchange.setProperty(FhirExchange.RESULT, result);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(FhirExchange.KAFKA_KEY, result.recordId().value());
        exchange.getMessage().setBody(result.entry().toJson());
    }

    /**
     * Ingests one resource of {@code request.type()} sent by a trusted system rather than a token holder: the checks,
     * validation and storage a PUT of {@code json} gets, without scopes. The legacy FHIR poller's path, so that polled
     * content is treated exactly as content sent to Caduceus.
     *
     * @return the stored record, whose ledger entry is still to be published
     */
    FhirExchange.Result storeTrusted(FhirExchange.Request request, byte[] json) throws FhirRejection {
        return persist(intake.checkTrusted(request, json));
    }

    private FhirExchange.Result persist(FhirExchange.Prepared p) throws FhirRejection {
        try {
            LedgerEntry entry = records.store(p.recordId(), p.source(), p.messageType(), p.resource(), p.canonical(), p.body(),
                    p.request().receivedAt(), p.lookupKeys());
            return new FhirExchange.Result(p.recordId(), p.resource(), p.format(), p.entryIds(), entry);
        } catch (FhirRejection rejection) {
            throw FhirIntake.aboutPatient(records, rejection, p.resource());
        }
    }
}
