package io.caduceus.edge.records;

import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.core.keys.KeyedHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * The vault lookup keys that make a stored record findable by the FHIR resources it holds ({@code GET
 * /fhir/{type}/{id}}): {@code rk2_} and the first 32 hex digits of {@code HMAC-SHA256(resource-key key, type, id)}.
 * A key is a MAC of type and logical id rather than the id itself, and a keyed one: keys sit in the clear beside the
 * ciphertext and the pseudonym, and a client-chosen id ({@code PUT /fhir/Patient/jane-doe-1970}) or an id derived
 * from an MRN could otherwise be found in a vault backup by hashing guesses.
 *
 * <p>Format 1 keys ({@code rk1_}, an unkeyed SHA-256) are what records stored before carry. While
 * {@code caduceus.ids.read-format-1} is on, lookups ask for both, so those records stay readable; no new record gets one.
 */
public final class ResourceKeys {

    private static final String LEGACY_DOMAIN = "caduceus.resource-key.v1\0";

    private final KeyedHash key;
    private final boolean readFormatOne;

    public ResourceKeys(DeploymentKeys keys, boolean readFormatOne) {
        this.key = keys.keyFor(DeploymentKeys.Purpose.RESOURCE_KEY);
        this.readFormatOne = readFormatOne;
    }

    /** The lookup key resource {@code type/id} is stored under. */
    public String of(String type, String id) {
        return "rk2_" + HexFormat.of().formatHex(key.of(type, id), 0, 16);
    }

    /** The format 1 key of {@code type/id}: only ever looked up, for records stored before keyed lookup keys. */
    static String legacyOf(String type, String id) {
        byte[] digest = Sha256.digest((LEGACY_DOMAIN + type + "/" + id).getBytes(StandardCharsets.UTF_8)).toBytes();
        return "rk1_" + HexFormat.of().formatHex(digest, 0, 16);
    }

    /** The keys of every resource in a mapped HL7 message's bundle that has a logical id. */
    public List<String> ofBundleEntries(Bundle bundle) {
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

    /**
     * The ids of the records holding {@code type/id}, oldest first, as {@link RecordVault#findRecords} lists them.
     * Records found by a format 1 key come first: every one of them was stored before any record with a format 2 key.
     */
    public List<String> findRecords(RecordVault vault, String type, String id) {
        List<String> current = vault.findRecords(of(type, id));
        if (!readFormatOne) {
            return current;
        }
        List<String> legacy = vault.findRecords(legacyOf(type, id));
        if (legacy.isEmpty()) {
            return current;
        }
        Set<String> both = new LinkedHashSet<>(legacy);
        both.addAll(current);
        return List.copyOf(both);
    }

    @Override
    public String toString() {
        return "ResourceKeys[key redacted]";
    }
}
