package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseMetaType;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IDomainResource;

/**
 * What HAPI's encoder would change in a resource (contained resources it renames, invents ids for or merges; metas
 * it rewrites): {@link CanonicalFhirJson} writes a resource directly only when HAPI would leave these parts as they
 * are, so the two encodings stay byte for byte the same, and refuses otherwise.
 */
final class HapiEncodingChecks {

    private HapiEncodingChecks() {
    }

    /**
     * The resources HAPI writes under {@code contained}: the resource's own list, provided HAPI would neither rename
     * them (ids starting with '#'), invent ids for them (blank ids) nor merge them (duplicate ids).
     */
    static List<IBaseResource> containedOf(IBaseResource resource) {
        if (!(resource instanceof IDomainResource domain) || domain.getContained().isEmpty()) {
            return List.of();
        }
        List<IBaseResource> result = new ArrayList<>(domain.getContained().size());
        Set<String> idParts = new HashSet<>();
        for (IBaseResource next : domain.getContained()) {
            String id = next.getIdElement().getValue();
            if (FhirElements.isBlank(id) || id.startsWith("#")) {
                throw new CanonicalFhirJson.Unsupported("contained resource without a plain id");
            }
            if (!idParts.add(String.valueOf(next.getIdElement().getIdPart()))) {
                throw new CanonicalFhirJson.Unsupported("contained resources sharing an id");
            }
            result.add(next);
        }
        return result;
    }

    /** HAPI encodes a copy of Meta that it may change; only metas it would leave as they are are written here. */
    static void checkMetaUnchangedByHapi(IBaseMetaType meta, IBaseResource resource) {
        if (FhirElements.isBlank(meta.getVersionId()) && resource.getIdElement().hasVersionIdPart()) {
            throw new CanonicalFhirJson.Unsupported("meta version taken from the resource id");
        }
        for (IBaseCoding coding : meta.getTag()) {
            if (FhirElements.isBlank(coding.getCode()) && FhirElements.isBlank(coding.getSystem())) {
                throw new CanonicalFhirJson.Unsupported("meta tag HAPI would filter");
            }
        }
        for (IBaseCoding coding : meta.getSecurity()) {
            if (FhirElements.isBlank(coding.getCode()) && FhirElements.isBlank(coding.getSystem())) {
                throw new CanonicalFhirJson.Unsupported("meta security label HAPI would filter");
            }
        }
    }
}
