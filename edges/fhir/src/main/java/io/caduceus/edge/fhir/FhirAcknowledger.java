package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.apache.camel.Exchange;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/** The record is in the vault and Kafka acknowledged its ledger entry: answers 201 or 200. */
public final class FhirAcknowledger {

    private final FhirContext fhir;
    private final FhirSettings settings;

    FhirAcknowledger(FhirContext fhir, FhirSettings settings) {
        this.fhir = fhir;
        this.settings = settings;
    }

    public void accepted(Exchange exchange) {
        FhirExchange.Request request = exchange.getProperty(FhirExchange.REQUEST, FhirExchange.Request.class);
        FhirExchange.Result result = exchange.getProperty(FhirExchange.RESULT, FhirExchange.Result.class);
        FhirFormat format = FhirFormat.forResponse(request.format(), request.accept(), result.requestFormat());
        String recordId = result.recordId().value();
        String version = FhirRecords.logicalId(result.recordId());
        var message = exchange.getMessage();
        message.removeHeaders("*");
        message.setHeader("X-Caduceus-Record-Id", recordId);
        message.setHeader("Link", "</api/proofs/" + recordId + ">; rel=\"related\"; title=\"ledger proof\"");
        IBaseResource answer;
        int status;
        if (request.bundle()) {
            status = 200;
            answer = responseBundle((Bundle) result.resource(), result.entryIds(), version);
        } else {
            boolean create = request.create();
            status = create ? 201 : 200;
            String id = create ? FhirRecords.logicalId(result.recordId()) : request.id();
            message.setHeader("Location", settings.baseUrl() + "/fhir/" + request.type() + "/" + id + "/_history/" + version);
            message.setHeader("ETag", "W/\"" + version + "\"");
            String prefer = request.prefer() == null ? "" : request.prefer();
            if (prefer.contains("return=minimal")) {
                answer = null;
            } else if (prefer.contains("return=representation")) {
                Resource stored = result.resource();
                stored.setId(id);
                stored.getMeta().setVersionId(version);
                answer = stored;
            } else {
                answer = OperationOutcomes.information((create ? "created" : "updated") + " as record " + recordId);
            }
        }
        FhirExchange.respond(fhir, exchange, status, format, answer);
    }

    private static Bundle responseBundle(Bundle request, List<String> entryIds, String version) {
        Bundle response = new Bundle();
        response.setType(request.getType() == Bundle.BundleType.BATCH ? Bundle.BundleType.BATCHRESPONSE
                : Bundle.BundleType.TRANSACTIONRESPONSE);
        for (int i = 0; i < request.getEntry().size(); i++) {
            Bundle.BundleEntryComponent in = request.getEntry().get(i);
            boolean created = in.getRequest().getMethod() == Bundle.HTTPVerb.POST;
            Bundle.BundleEntryResponseComponent out = response.addEntry().getResponse();
            out.setStatus(created ? "201 Created" : "200 OK")
                    .setLocation(in.getResource().fhirType() + "/" + entryIds.get(i) + "/_history/" + version)
                    .setEtag("W/\"" + version + "\"");
        }
        return response;
    }
}
