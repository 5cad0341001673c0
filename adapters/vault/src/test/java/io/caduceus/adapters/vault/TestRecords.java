package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultRecord;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;

/** Test data with a recognisable fake patient name, so tests can assert it never leaks. */
final class TestRecords {

    static final String FAKE_NAME = "ZZFAKEPATIENT^Hermione^Quillfeather";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestRecords() {
    }

    static MasterKey masterKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return MasterKey.of(k);
    }

    static byte[] salt() {
        byte[] s = new byte[VaultRecord.SALT_LENGTH];
        RANDOM.nextBytes(s);
        return s;
    }

    static VaultRecord record(String id, String pseudonym) {
        return record(id, pseudonym, "{\"resourceType\":\"Bundle\",\"patient\":\"" + FAKE_NAME + "\",\"id\":\"" + id + "\"}");
    }

    static VaultRecord record(String id, String pseudonym, String bundleJson) {
        String hl7 = "MSH|^~\\&|LAB|HOSP|||20240101||ORU^R01|" + id + "|P|2.8\rPID|1||12345||" + FAKE_NAME + "||19700101|F\r";
        return new VaultRecord(id, pseudonym, salt(), "application/fhir+json",
                bundleJson.getBytes(StandardCharsets.UTF_8), hl7.getBytes(StandardCharsets.ISO_8859_1),
                Instant.parse("2024-05-01T10:15:30.123456789Z"));
    }

    static boolean containsBytes(byte[] haystack, byte[] needle) {
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
}
