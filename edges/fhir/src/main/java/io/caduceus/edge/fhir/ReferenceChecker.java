package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.IModelVisitor2;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.edge.records.ResourceKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseExtension;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Refuses references that cannot mean anything once stored (422): malformed ones, {@code #id} naming no contained
 * resource, {@code urn:uuid:}/{@code urn:oid:} naming no entry of the same bundle, a relative {@code Type/id} whose
 * type is not a FHIR R4 resource. With {@link Policy#REQUIRE_KNOWN}, a relative reference must also resolve: to an
 * entry of the same bundle or to a resource stored here. Absolute URLs point at other servers and are left alone.
 *
 * <p>The HAPI validator checks none of this: it validates each resource on its own, and a transaction whose
 * Observation points at {@code urn:uuid:} of nothing would be stored as a record no reader can follow.
 * Diagnostics name the element, never the reference itself (a client-chosen id can identify a patient).
 */
final class ReferenceChecker {

    enum Policy {
        /** Structure only: relative references to resources Caduceus has not seen are accepted (partial feeds). */
        CHECK_FORMAT,
        /** Relative references must resolve within the request or to a stored resource, as a full FHIR server does. */
        REQUIRE_KNOWN;

        static Policy parse(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "format", "check-format" -> CHECK_FORMAT;
                case "known", "require-known" -> REQUIRE_KNOWN;
                default -> throw new IllegalArgumentException("caduceus.fhir.references must be check-format or require-known");
            };
        }
    }

    private static final Pattern RELATIVE = Pattern.compile("([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\\-.]{1,64})(/_history/[A-Za-z0-9\\-.]{1,64})?");
    private static final Pattern URN_UUID = Pattern.compile("urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern URN_OID = Pattern.compile("urn:oid:[0-2](\\.(0|[1-9][0-9]*))+");
    private static final Pattern ABSOLUTE = Pattern.compile("https?://[^\\s]+");

    private final FhirContext fhir;
    private final RecordVault vault;
    private final ResourceKeys resourceKeys;
    private final Policy policy;

    ReferenceChecker(FhirContext fhir, RecordVault vault, ResourceKeys resourceKeys, Policy policy) {
        this.resourceKeys = resourceKeys;
        this.fhir = fhir;
        this.vault = vault;
        this.policy = policy;
    }

    /** Checks a single resource (create or update). */
    void check(Resource resource) throws FhirRejection {
        check(resource, resource.fhirType(), Set.of(), Set.of());
    }

    /**
     * Checks every entry of a transaction or batch. Entries are found by their fullUrl and, for PUTs, by the
     * {@code Type/id} they will be stored under; POSTed entries get their ids from the server, so clients point at
     * them by fullUrl ({@code urn:uuid:}).
     */
    void check(Bundle bundle) throws FhirRejection {
        Set<String> fullUrls = new HashSet<>();
        Set<String> relative = new HashSet<>();
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryComponent entry = entries.get(i);
            if (entry.hasFullUrl()) {
                fullUrls.add(entry.getFullUrl());
            }
            if (entry.hasResource()) {
                if (entry.getRequest().getMethod() == Bundle.HTTPVerb.PUT && entry.getResource().getIdElement().getIdPart() != null) {
                    relative.add(entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart());
                }
                if (entry.hasFullUrl()) {
                    Matcher m = RELATIVE.matcher(lastTwoSegments(entry.getFullUrl()));
                    if (m.matches()) {
                        relative.add(m.group(1) + "/" + m.group(2));
                    }
                }
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).hasResource()) {
                check(entries.get(i).getResource(), "Bundle.entry[" + i + "].resource", fullUrls, relative);
            }
        }
    }

    private void check(Resource resource, String at, Set<String> fullUrls, Set<String> inRequest) throws FhirRejection {
        Set<String> contained = new HashSet<>();
        if (resource instanceof DomainResource domain) {
            for (Resource c : domain.getContained()) {
                String id = c.getIdElement().getIdPart();
                if (id != null) {
                    contained.add(id.startsWith("#") ? id.substring(1) : id);
                }
            }
        }
        for (Located located : references(resource, at)) {
            Reference reference = located.reference();
            if (!reference.hasReference()) {
                continue; // identifier- or display-only references are legal and point at nothing to resolve
            }
            String value = reference.getReference();
            String where = located.path();
            if (value.startsWith("#")) {
                if (!contained.contains(value.substring(1))) {
                    throw invalid(where, "a #reference names no contained resource");
                }
            } else if (value.startsWith("urn:")) {
                if (!URN_UUID.matcher(value).matches() && !URN_OID.matcher(value).matches()) {
                    throw invalid(where, "a urn: reference is neither a urn:uuid nor a urn:oid");
                }
                if (!fullUrls.contains(value)) {
                    throw invalid(where, "a urn: reference names no entry of this bundle (only bundle entries have such "
                            + "names)");
                }
            } else if (ABSOLUTE.matcher(value).matches()) {
                if (fullUrls.contains(value)) {
                    continue;
                }
                // another server's resource: nothing to resolve here
            } else {
                Matcher m = RELATIVE.matcher(value);
                if (!m.matches()) {
                    throw invalid(where, "a reference is not Type/id, #id, urn:uuid:, urn:oid: or an absolute URL");
                }
                if (!fhir.getResourceTypes().contains(m.group(1))) {
                    throw invalid(where, "a reference names a type that is not a FHIR R4 resource");
                }
                if (policy == Policy.REQUIRE_KNOWN && !inRequest.contains(m.group(1) + "/" + m.group(2))
                        && resourceKeys.findRecords(vault, m.group(1), m.group(2)).isEmpty()) {
                    throw invalid(where, "a reference names a " + m.group(1) + " that is neither in this request nor "
                            + "stored here");
                }
            }
        }
    }

    private static String lastTwoSegments(String url) {
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        int last = trimmed.lastIndexOf('/');
        int before = last <= 0 ? -1 : trimmed.lastIndexOf('/', last - 1);
        return before < 0 ? trimmed : trimmed.substring(before + 1);
    }

    private record Located(Reference reference, String path) {
    }

    /** Every Reference in the resource with its FHIRPath-like location (Observation.subject, ...hasMember). */
    private List<Located> references(Resource resource, String at) {
        List<Located> found = new ArrayList<>();
        fhir.newTerser().visit(resource, new IModelVisitor2() {
            @Override
            public boolean acceptElement(IBase element, List<IBase> containingElementPath,
                    List<BaseRuntimeChildDefinition> childDefinitionPath, List<BaseRuntimeElementDefinition<?>> elementDefinitionPath) {
                if (element instanceof Reference reference) {
                    StringBuilder path = new StringBuilder(at);
                    for (BaseRuntimeChildDefinition child : childDefinitionPath) {
                        path.append('.').append(child.getElementName());
                    }
                    found.add(new Located(reference, path.toString()));
                }
                // Contained resources are checked as part of their container (their #references resolve there).
                return true;
            }

            @Override
            public boolean acceptUndeclaredExtension(IBaseExtension<?, ?> extension, List<IBase> containingElementPath,
                    List<BaseRuntimeChildDefinition> childDefinitionPath, List<BaseRuntimeElementDefinition<?>> elementDefinitionPath) {
                return true;
            }
        });
        return found;
    }

    private static FhirRejection invalid(String where, String what) {
        return FhirRejection.content(422, IssueType.INVALID, what, where);
    }
}
