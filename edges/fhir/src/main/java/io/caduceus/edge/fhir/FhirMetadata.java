package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import org.apache.camel.Exchange;
import org.hl7.fhir.r4.model.CapabilityStatement;

/** GET /fhir/metadata: the CapabilityStatement, encoded once in each format. */
public final class FhirMetadata {

    private final FhirSettings settings;
    private final FhirAuthenticator authenticator;
    private final Map<FhirFormat, String> capabilities;

    FhirMetadata(FhirContext fhir, FhirSettings settings, FhirAuthenticator authenticator, CapabilityStatement capabilityStatement) {
        this.settings = settings;
        this.authenticator = authenticator;
        this.capabilities = Map.of(
                FhirFormat.JSON, fhir.newJsonParser().setPrettyPrint(true).encodeResourceToString(capabilityStatement),
                FhirFormat.XML, fhir.newXmlParser().setPrettyPrint(true).encodeResourceToString(capabilityStatement));
    }

    /** Public by default: clients discover the authorization rules there before holding a token. */
    public void capabilities(Exchange exchange) throws FhirRejection {
        FhirExchange.Request request = FhirExchange.capture(exchange);
        exchange.setProperty(FhirExchange.REQUEST, request);
        if (!settings.publicMetadata()) {
            authenticator.authenticate(request.authorization(), ClientCertificateAuthenticator.verifiedCertificate(exchange));
        }
        FhirFormat format = FhirFormat.forResponse(request.format(), request.accept(), FhirFormat.JSON);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, format.contentTypeHeader());
        exchange.getMessage().setBody(capabilities.get(format));
    }
}
