package io.caduceus.hl7.mapping;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.core.json.CanonicalJson;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The RFC 8785 bytes of a FHIR R4 resource, exactly as {@code CanonicalJson.canonicalize(HAPI's JSON of it)} gives
 * them: written straight from the model where {@link CanonicalFhirJson} reproduces HAPI's encoder (no JSON text, no
 * second parse), through HAPI and the canonicalizer for the constructs it refuses. What the canonicalizer refuses
 * (a number beyond a double, say) it refuses here too, with the same {@code JsonException}.
 */
public final class FhirCanonicalJson {

    private static final FhirContext R4 = FhirContext.forR4Cached();
    private static final CanonicalFhirJson DIRECT = new CanonicalFhirJson(R4);

    private FhirCanonicalJson() {
    }

    /** @param fhir the context the resource was parsed with; the direct writer serves the shared R4 one only */
    public static byte[] of(FhirContext fhir, IBaseResource resource) {
        if (fhir == R4) {
            try {
                return DIRECT.encode(resource);
            } catch (CanonicalFhirJson.Unsupported e) {
                // a construct the direct writer does not reproduce: HAPI's encoder below
            }
        }
        return throughHapi(fhir, resource);
    }

    /** The reference encoding: HAPI's JSON, canonicalized. */
    public static byte[] throughHapi(FhirContext fhir, IBaseResource resource) {
        return CanonicalJson.canonicalize(fhir.newJsonParser().encodeResourceToString(resource));
    }
}
