package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.RecordId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR resources a stored record serves, under the logical ids its writer answered with: a mapped HL7 message's
 * bundle serves each entry under the entry's own (deterministic) id; a transaction or batch bundle serves entry
 * {@code i} under the id it was answered with ({@link FhirRecords#entryId}, or the PUT id); a single created resource
 * is served under its record's logical id and an updated one under its own id. Bundles themselves are never accepted
 * as single resources, so a Bundle in the vault is always such a container.
 */
final class RecordResources {

    /** One resource of a record, with the logical id it is served under. */
    record Served(String type, String id, Resource resource) {
    }

    private final FhirContext fhir;

    RecordResources(FhirContext fhir) {
        this.fhir = fhir;
    }

    List<Served> of(VaultRecord record) {
        Resource content = parse(record);
        RecordId recordId = new RecordId(record.recordId());
        List<Served> served = new ArrayList<>();
        if (content instanceof Bundle bundle) {
            boolean submitted = bundle.getType() == Bundle.BundleType.TRANSACTION || bundle.getType() == Bundle.BundleType.BATCH;
            List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
            for (int i = 0; i < entries.size(); i++) {
                Bundle.BundleEntryComponent entry = entries.get(i);
                if (!entry.hasResource()) {
                    continue;
                }
                Resource resource = entry.getResource();
                String id;
                if (submitted) {
                    id = entry.getRequest().getMethod() == Bundle.HTTPVerb.PUT
                            ? resource.getIdElement().getIdPart() : FhirRecords.entryId(recordId, i);
                } else {
                    id = resource.getIdElement().getIdPart();
                }
                if (id != null && !id.isEmpty()) {
                    served.add(new Served(resource.fhirType(), id, withId(resource, id)));
                }
            }
        } else {
            // An update's body must carry its id; a create's is dropped before storing (the server assigns it).
            String own = content.getIdElement().getIdPart();
            String id = own != null && !own.isEmpty() ? own : FhirRecords.logicalId(recordId);
            served.add(new Served(content.fhirType(), id, withId(content, id)));
        }
        return served;
    }

    /** The resource {@code type/id} of the record, if it serves one under that id. */
    Optional<Served> find(VaultRecord record, String type, String id) {
        return of(record).stream().filter(s -> s.type().equals(type) && s.id().equals(id)).findFirst();
    }

    private Resource parse(VaultRecord record) {
        // The resource's own id, not the entry's fullUrl (urn:uuid:...), which HAPI would put in its place.
        return (Resource) fhir.newJsonParser().setOverrideResourceIdWithBundleEntryFullUrl(false)
                .parseResource(new String(record.canonicalBundle(), StandardCharsets.UTF_8));
    }

    private static Resource withId(Resource resource, String id) {
        Resource copy = resource.copy();
        copy.setId(id);
        return copy;
    }
}
