package io.caduceus.edge.fhir;

import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;

/** The checks of a write before validation: size, accepted types, scopes, the shape of a bundle and its entries. */
final class FhirWriteChecks {

    private final FhirSettings settings;

    FhirWriteChecks(FhirSettings settings) {
        this.settings = settings;
    }

    void requireSize(byte[] body) throws FhirRejection {
        if (body.length > settings.maxRequestBytes()) {
            throw FhirRejection.content(413, IssueType.TOOCOSTLY, "the request body is larger than "
                    + settings.maxRequestBytes() + " bytes", null);
        }
    }

    void requireAcceptedType(String type, String expression) throws FhirRejection {
        if (type == null || !settings.resourceTypes().contains(type)) {
            throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "resource type " + safe(type)
                    + " is not accepted here; accepted: " + String.join(", ", settings.resourceTypes()), expression);
        }
    }

    static void authorize(BearerTokenVerifier.Caller caller, String type, SmartScopes.Interaction interaction)
            throws FhirRejection {
        if (!SmartScopes.allows(caller.scopes(), type, interaction)) {
            throw FhirRejection.forbidden("the caller's scopes do not allow " + interaction.name().toLowerCase(Locale.ROOT)
                    + " of " + type, SmartScopes.required(type, interaction));
        }
    }

    /**
     * A bundle's entries are checked against the caller's scopes once it is parsed; a caller who may write nothing at
     * all is refused before that, so that its content is neither parsed nor quarantined (a reader could otherwise fill
     * the quarantine).
     */
    void requireSomeWriteScope(BearerTokenVerifier.Caller caller) throws FhirRejection {
        for (String type : settings.resourceTypes()) {
            if (SmartScopes.allows(caller.scopes(), type, SmartScopes.Interaction.CREATE)
                    || SmartScopes.allows(caller.scopes(), type, SmartScopes.Interaction.UPDATE)) {
                return;
            }
        }
        throw FhirRejection.forbidden("the caller's scopes allow no write", "system/*.write");
    }

    static SmartScopes.Interaction interactionOf(String interaction) {
        return "update".equals(interaction) ? SmartScopes.Interaction.UPDATE : SmartScopes.Interaction.CREATE;
    }

    static void checkResource(FhirExchange.Request request, Resource resource) throws FhirRejection {
        if (!resource.fhirType().equals(request.type())) {
            throw FhirRejection.content(400, IssueType.INVALID, "the body is a " + resource.fhirType()
                    + " but the URL is for " + request.type(), "resourceType");
        }
        if ("update".equals(request.interaction())) {
            String bodyId = resource.getIdElement().getIdPart();
            if (bodyId == null) {
                throw FhirRejection.content(400, IssueType.REQUIRED, "an update must carry the resource id", request.type() + ".id");
            }
            if (!bodyId.equals(request.id())) {
                throw FhirRejection.content(400, IssueType.INVALID, "the resource id differs from the id in the URL", request.type() + ".id");
            }
        }
    }

    static Bundle requireTransactionOrBatch(Resource resource) throws FhirRejection {
        if (!(resource instanceof Bundle bundle)) {
            throw FhirRejection.content(400, IssueType.INVALID, "only a Bundle of type transaction or batch may be posted "
                    + "to the base URL; this is a " + resource.fhirType(), "resourceType");
        }
        if (bundle.getType() != Bundle.BundleType.TRANSACTION && bundle.getType() != Bundle.BundleType.BATCH) {
            throw FhirRejection.content(400, IssueType.INVALID, "only Bundles of type transaction or batch may be posted "
                    + "to the base URL", "Bundle.type");
        }
        return bundle;
    }

    /** All entries must be acceptable before anything is validated: the bundle is one record or none. */
    void checkEntries(Bundle bundle, BearerTokenVerifier.Caller caller) throws FhirRejection {
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        if (entries.isEmpty()) {
            throw FhirRejection.content(400, IssueType.REQUIRED, "the bundle has no entries", "Bundle.entry");
        }
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryComponent entry = entries.get(i);
            String at = "Bundle.entry[" + i + "]";
            if (!entry.hasResource()) {
                throw FhirRejection.content(400, IssueType.REQUIRED, "every entry must carry a resource", at + ".resource");
            }
            String type = entry.getResource().fhirType();
            requireAcceptedType(type, at + ".resource");
            Bundle.HTTPVerb method = entry.getRequest().getMethod();
            String url = entry.getRequest().getUrl() == null ? "" : entry.getRequest().getUrl();
            if (method == Bundle.HTTPVerb.POST) {
                if (!url.equals(type)) {
                    throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "a POST entry's request.url must be its "
                            + "resource type (conditional and other operations are not supported)", at + ".request.url");
                }
                authorize(caller, type, SmartScopes.Interaction.CREATE);
            } else if (method == Bundle.HTTPVerb.PUT) {
                String id = entry.getResource().getIdElement().getIdPart();
                if (id == null || !url.equals(type + "/" + id)) {
                    throw FhirRejection.content(400, IssueType.INVALID, "a PUT entry's request.url must be "
                            + "<type>/<id> of its resource", at + ".request.url");
                }
                authorize(caller, type, SmartScopes.Interaction.UPDATE);
            } else {
                throw FhirRejection.content(400, IssueType.NOTSUPPORTED, "bundle entries may only POST or PUT",
                        at + ".request.method");
            }
        }
    }

    /** A resource type from the URL, echoed only when it looks like one. */
    private static String safe(String type) {
        return type != null && type.matches("[A-Za-z]{1,64}") ? type : "(invalid)";
    }
}
