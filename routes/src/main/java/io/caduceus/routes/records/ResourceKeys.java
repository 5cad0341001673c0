package io.caduceus.routes.records;

import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The vault lookup keys that make a stored record findable by the FHIR resources it holds ({@code GET
 * /fhir/{type}/{id}}). A key is a digest of type and logical id rather than the id itself: keys sit in the clear beside
 * the ciphertext, and a client-chosen id ({@code PUT /fhir/Patient/jane-doe-1970}) can identify a patient.
 */
public final class ResourceKeys {

    private static final String DOMAIN = "caduceus.resource-key.v1\0";

    private ResourceKeys() {
    }

    /** The lookup key of resource {@code type/id}. */
    public static String of(String type, String id) {
        byte[] digest = Sha256.digest((DOMAIN + type + "/" + id).getBytes(StandardCharsets.UTF_8)).toBytes();
        return "rk1_" + HexFormat.of().formatHex(digest, 0, 16);
    }

    /** The keys of every resource in a mapped HL7 message's bundle that has a logical id. */
    public static List<String> ofBundleEntries(Bundle bundle) {
        List<String> keys = new ArrayList<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.hasResource()) {
                Resource resource = entry.getResource();
                String id = resource.getIdElement().getIdPart();
                if (id != null && !id.isEmpty()) {
                    keys.add(of(resource.fhirType(), id));
                }
            }
        }
        return keys;
    }
}
