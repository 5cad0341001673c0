package io.caduceus.edge.fhir;

import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementKind;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.RestfulCapabilityMode;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemRestfulInteraction;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Enumerations.FHIRVersion;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;

/** The CapabilityStatement of {@code GET /fhir/metadata}: exactly what this endpoint serves, nothing more. */
final class CapabilityStatements {

    private CapabilityStatements() {
    }

    /** @param clientCertificates whether clients are asked for a TLS client certificate (mutual TLS) */
    static CapabilityStatement build(List<String> resourceTypes, Map<String, List<String>> customProfiles, String issuer,
            boolean clientCertificates, String version) {
        CapabilityStatement cs = new CapabilityStatement();
        cs.setStatus(PublicationStatus.ACTIVE)
                .setDate(new Date())
                .setPublisher("Caduceus")
                .setKind(CapabilityStatementKind.INSTANCE)
                .setFhirVersion(FHIRVersion._4_0_1)
                .setName("CaduceusFhirInbound")
                .setTitle("Caduceus FHIR R4 inbound")
                .setDescription("FHIR R4 intake and record access: every accepted resource or bundle is validated, stored "
                        + "encrypted off-chain and committed to the ledger. Reads return the newest stored version with a "
                        + "meta.tag (urn:caduceus:fhir:ledger-integrity) saying whether its record matches the ledger "
                        + "commitment; searches are not served.");
        cs.getSoftware().setName("Caduceus").setVersion(version);
        cs.getImplementation().setDescription("Caduceus FHIR R4 inbound");
        cs.addFormat("application/fhir+json").addFormat("application/fhir+xml").addFormat("json").addFormat("xml");

        CapabilityStatementRestComponent rest = cs.addRest().setMode(RestfulCapabilityMode.SERVER);
        rest.setDocumentation("Batch bundles are processed all-or-nothing like transactions; each bundle is one record. "
                + "Bundle entries may only POST (create) or PUT (update) resources of the listed types. Read serves every "
                + "resource type stored, including those mapped from HL7 v2 (Provenance, Coverage, ...); each read that "
                + "discloses records is logged as an access event before it is answered.");
        CodeableConcept smart = new CodeableConcept();
        smart.addCoding().setSystem("http://terminology.hl7.org/CodeSystem/restful-security-service").setCode("SMART-on-FHIR");
        smart.setText("OAuth2 bearer JWT (RS256 or ES256)");
        rest.getSecurity().setCors(false).addService(smart);
        String tokens = "a bearer access token issued by " + (issuer.isBlank() ? "the configured issuer" : issuer)
                + " for this server's audience";
        if (clientCertificates) {
            CodeableConcept certificates = new CodeableConcept();
            certificates.addCoding().setSystem("http://terminology.hl7.org/CodeSystem/restful-security-service")
                    .setCode("Certificates");
            certificates.setText("Mutual TLS: a client certificate issued by a trusted CA and registered with this server");
            rest.getSecurity().addService(certificates);
            rest.getSecurity().setDescription("Every request needs " + tokens + ", or, without an Authorization header, "
                    + "a TLS client certificate whose subject is registered here with its scopes (mutual TLS; a token, when "
                    + "sent, is the one that counts). Scopes: " + SmartScopes.described());
        } else {
            rest.getSecurity().setDescription("Every request needs " + tokens + ". Scopes: " + SmartScopes.described());
        }
        rest.addInteraction().setCode(SystemRestfulInteraction.TRANSACTION);
        rest.addInteraction().setCode(SystemRestfulInteraction.BATCH);
        for (String type : resourceTypes) {
            CapabilityStatementRestResourceComponent resource = rest.addResource().setType(type);
            resource.setProfile("http://hl7.org/fhir/StructureDefinition/" + type);
            customProfiles.getOrDefault(type, List.of()).forEach(resource::addSupportedProfile);
            resource.addInteraction().setCode(TypeRestfulInteraction.CREATE);
            resource.addInteraction().setCode(TypeRestfulInteraction.UPDATE);
            resource.addInteraction().setCode(TypeRestfulInteraction.READ);
            if ("Patient".equals(type)) {
                resource.addOperation().setName("everything")
                        .setDefinition("http://hl7.org/fhir/OperationDefinition/Patient-everything");
            }
            resource.setUpdateCreate(true).setConditionalCreate(false).setConditionalUpdate(false)
                    .setVersioning(CapabilityStatement.ResourceVersionPolicy.NOVERSION);
        }
        return cs;
    }
}
