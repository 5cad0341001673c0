package io.caduceus.edge.hl7;

import io.caduceus.edge.services.IngestServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.hash.Hex;
import io.caduceus.core.hash.Sha256;
import io.caduceus.hl7.mapping.Hl7ToFhirMapper;
import io.caduceus.hl7.mapping.MappingResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a copy of the file vault tells someone without the deployment secret: records are written through the real
 * storing path (mapper, {@link RecordStore}, file vault), then every byte under the vault folder is searched for the
 * patient's MRN and for the identifiers anyone could compute from it before keyed ids.
 */
class VaultBackupEnumerationTest {

    private static final String MRN = "MRN-7734521";
    private static final String AUTHORITY = "GENERAL";

    @TempDir
    Path dir;

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private IngestServices services(Path vaultDir, boolean readFormatOne) {
        return new IngestServices(FileRecordVault.open(vaultDir, MasterKey.of(filled(3))), Hl7ToFhirMapper.builder(),
                filled(5), readFormatOne);
    }

    private static byte[] adt(String controlId) {
        return ("MSH|^~\\&|HIS|" + AUTHORITY + "|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\r"
                + "PID|1||" + MRN + "^^^" + AUTHORITY + "^MR||Doe^Jane||19700101|F\r"
                + "PV1|1|O|CLINIC^^^" + AUTHORITY + "\r").getBytes(StandardCharsets.UTF_8);
    }

    private static Exchange store(IngestServices services, byte[] message) throws Exception {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(IngestExchange.MAPPING, services.mapper().map(message));
        exchange.setProperty(IngestExchange.ORIGINAL, message);
        exchange.setProperty(IngestExchange.RECEIVED_AT, Instant.parse("2026-11-25T10:15:00Z"));
        new RecordStore(services).store(exchange);
        return exchange;
    }

    /** The Patient id before keyed ids: a version-5 UUID over a public namespace of PID-3.1 and PID-3.4. */
    private static UUID oldPatientId() throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        UUID ns = UUID.fromString("6f3c8b9e-2d4a-5c1e-9b7f-0a1d2c3e4f50");
        sha1.update(ByteBuffer.allocate(16).putLong(ns.getMostSignificantBits()).putLong(ns.getLeastSignificantBits()).array());
        byte[] hash = sha1.digest(("Patient|id|" + MRN + "|" + AUTHORITY).getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /** The lookup key before keyed ids: an unkeyed SHA-256 of type and id. */
    private static String oldLookupKey(String type, String id) {
        byte[] digest = Sha256.digest(("caduceus.resource-key.v1\0" + type + "/" + id).getBytes(StandardCharsets.UTF_8)).toBytes();
        return "rk1_" + Hex.encode(Arrays.copyOf(digest, 16));
    }

    private static String oldRecordId(String controlId) {
        String input = "caduceus.record-id.v1\0HIS\0" + AUTHORITY + "\0" + controlId;
        return "r_" + Sha256.digest(input.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
    }

    private static byte[] everyByte(Path folder) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("the vault wrote files").isNotEmpty();
        for (Path file : files) {
            all.write(Files.readAllBytes(file));
            all.write(0);
        }
        return all.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static byte[] uuidBytes(UUID id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    @Test
    void aVaultBackupHoldsNeitherTheMrnNorAnythingComputableFromItWithoutTheKey() throws Exception {
        Path vaultDir = dir.resolve("vault");
        String patientId;
        String keyedLookupKey;
        List<String> recordIds = new ArrayList<>();
        try (IngestServices services = services(vaultDir, true)) {
            for (String controlId : List.of("BACKUP-1", "BACKUP-2")) {
                recordIds.add(store(services, adt(controlId)).getProperty(IngestExchange.RECORD_ID, String.class));
            }
            MappingResult mapped = services.mapper().map(adt("BACKUP-1"));
            patientId = mapped.bundle().getEntry().stream().map(e -> e.getResource())
                    .filter(r -> r instanceof Patient).findFirst().orElseThrow().getIdElement().getIdPart();
            keyedLookupKey = services.resourceKeys().of("Patient", patientId);
            assertThat(services.vault().findRecords(keyedLookupKey)).containsExactlyElementsOf(recordIds);
        }
        byte[] backup = everyByte(vaultDir);
        String oldId = oldPatientId().toString();
        assertThat(patientId).isNotEqualTo(oldId);

        // The scan sees what the vault keeps in the clear (the record ids); the file vault seals even keyed lookup keys
        // under the patient's data key, so that an erased patient's index entries go with the key.
        assertThat(contains(backup, recordIds.get(0).getBytes(StandardCharsets.US_ASCII))).as("control: record id").isTrue();
        assertThat(contains(backup, keyedLookupKey.getBytes(StandardCharsets.US_ASCII))).as("keyed lookup key, sealed").isFalse();

        Map<String, byte[]> mustNotAppear = new LinkedHashMap<>();
        mustNotAppear.put("the MRN", MRN.getBytes(StandardCharsets.UTF_8));
        mustNotAppear.put("the MRN in UTF-16", MRN.getBytes(StandardCharsets.UTF_16BE));
        mustNotAppear.put("the old Patient id", oldId.getBytes(StandardCharsets.US_ASCII));
        mustNotAppear.put("the old Patient id's bytes", uuidBytes(oldPatientId()));
        mustNotAppear.put("the old lookup key", oldLookupKey("Patient", oldId).getBytes(StandardCharsets.US_ASCII));
        mustNotAppear.put("an unkeyed lookup key of today's Patient id", oldLookupKey("Patient", patientId)
                .getBytes(StandardCharsets.US_ASCII));
        mustNotAppear.put("the old lookup key's digest", Hex.decode(oldLookupKey("Patient", oldId).substring(4)));
        mustNotAppear.put("the old record id", oldRecordId("BACKUP-1").getBytes(StandardCharsets.US_ASCII));
        mustNotAppear.put("the old record id's digits", oldRecordId("BACKUP-1").substring(2).getBytes(StandardCharsets.US_ASCII));
        mustNotAppear.forEach((what, bytes) -> assertThat(contains(backup, bytes)).as(what).isFalse());
    }

    @Test
    void recordsStoredBeforeKeyedIdsAreStillFoundAndARetransmissionIsTheirDuplicate() throws Exception {
        Path vaultDir = dir.resolve("vault-upgraded");
        byte[] message = adt("OLD-1");
        try (IngestServices services = services(vaultDir, true)) {
            // A record as format 1 stored it: r_ id, rk1_ lookup key of the old Patient id.
            services.vault().put(new VaultRecord(oldRecordId("OLD-1"), services.pseudonymizer().pseudonymize("urn:id:"
                    + AUTHORITY, MRN).value(), Salt.random().toBytes(), RecordStore.CONTENT_TYPE,
                    services.mapper().map(message).canonicalJson(), message, Instant.parse("2026-11-25T10:15:00Z"))
                    .withLookupKeys(List.of(oldLookupKey("Patient", oldPatientId().toString()))));

            Exchange again = store(services, message);
            assertThat(again.getProperty(IngestExchange.RECORD_ID, String.class)).isEqualTo(oldRecordId("OLD-1"));
            assertThat(again.getProperty(IngestExchange.DUPLICATE, Boolean.class)).isTrue();
            assertThat(services.resourceKeys().findRecords(services.vault(), "Patient", oldPatientId().toString()))
                    .containsExactly(oldRecordId("OLD-1"));
        }
        try (IngestServices services = services(vaultDir, false)) {
            assertThat(services.resourceKeys().findRecords(services.vault(), "Patient", oldPatientId().toString())).isEmpty();
            Exchange stored = store(services, message);
            assertThat(stored.getProperty(IngestExchange.RECORD_ID, String.class)).startsWith("r2_");
            assertThat(stored.getProperty(IngestExchange.DUPLICATE, Boolean.class)).isNull();
        }
    }
}
