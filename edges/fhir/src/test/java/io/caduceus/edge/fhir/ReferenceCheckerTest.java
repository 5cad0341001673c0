package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ca.uhn.fhir.context.FhirContext;
import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.commitment.Salt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceCheckerTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @TempDir
    static Path work;

    private static RecordVault vault;
    private static ReferenceChecker formatOnly;
    private static ReferenceChecker requireKnown;

    @BeforeAll
    static void open() {
        byte[] master = new byte[32];
        Arrays.fill(master, (byte) 4);
        vault = FileRecordVault.open(work.resolve("vault"), MasterKey.of(master));
        vault.put(new VaultRecord("r_" + "12".repeat(16), "pp1_" + "34".repeat(16), Salt.random().toBytes(), "application/fhir+json",
                "{}".getBytes(StandardCharsets.UTF_8), new byte[0], Instant.now())
                .withLookupKeys(List.of(FhirTestBeans.RESOURCE_KEYS.of("Patient", "known-1"))));
        formatOnly = new ReferenceChecker(FHIR, vault, FhirTestBeans.RESOURCE_KEYS, ReferenceChecker.Policy.CHECK_FORMAT);
        requireKnown = new ReferenceChecker(FHIR, vault, FhirTestBeans.RESOURCE_KEYS, ReferenceChecker.Policy.REQUIRE_KNOWN);
    }

    @AfterAll
    static void close() {
        vault.close();
    }

    private static Resource observation(String subject) {
        return (Resource) FHIR.newJsonParser().parseResource("{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"text\":\"x\"},\"subject\":{\"reference\":\"" + subject + "\"}}");
    }

    @ParameterizedTest(name = "{0}: format {1}, known {2}")
    @CsvSource({
            "Patient/known-1,                              true,  true",
            "Patient/unknown-2,                            true,  false",
            "Patient/known-1/_history/3,                   true,  true",
            "https://other.example/fhir/Patient/9,         true,  true",
            "Unicorn/1,                                    false, false",
            "Patient/has space,                            false, false",
            "not a reference,                              false, false",
            "urn:uuid:6f1c0b1e-0000-4000-8000-000000000000, false, false",
            "urn:isbn:12345,                               false, false",
            "#nothing-contained,                           false, false",
    })
    void singleResources(String reference, boolean passesFormat, boolean passesKnown) {
        Resource resource = observation(reference);
        assertThat(passes(formatOnly, resource)).isEqualTo(passesFormat);
        assertThat(passes(requireKnown, resource)).isEqualTo(passesKnown);
    }

    @Test
    void aContainedReferenceResolvesToItsContainedResource() {
        Resource resource = (Resource) FHIR.newJsonParser().parseResource("{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"text\":\"x\"},\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p1\"}],"
                + "\"subject\":{\"reference\":\"#p1\"}}");
        assertThatCode(() -> requireKnown.check(resource)).doesNotThrowAnyException();
    }

    @Test
    void referencesWithoutALiteralAreLeftAlone() {
        Resource resource = (Resource) FHIR.newJsonParser().parseResource("{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"text\":\"x\"},\"subject\":{\"identifier\":{\"system\":\"urn:x\",\"value\":\"1\"},\"display\":\"someone\"}}");
        assertThatCode(() -> requireKnown.check(resource)).doesNotThrowAnyException();
    }

    @Test
    void inATransactionEntriesResolveByFullUrlAndByTheIdOfAPut() {
        Bundle ok = (Bundle) FHIR.newJsonParser().parseResource(FhirSamples.transaction("MRN-REF-1", 2));
        assertThatCode(() -> requireKnown.check(ok)).doesNotThrowAnyException();

        String put = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"put-1\"},\"request\":{\"method\":\"PUT\",\"url\":\"Patient/put-1\"}},"
                + "{\"resource\":{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                + "\"subject\":{\"reference\":\"Patient/put-1\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
        assertThatCode(() -> requireKnown.check((Bundle) FHIR.newJsonParser().parseResource(put))).doesNotThrowAnyException();

        String dangling = FhirSamples.transaction("MRN-REF-2", 1).replace(
                "\"subject\":{\"reference\":\"urn:uuid:6f1c0b1e-0000-4000-8000-000000000000\"}",
                "\"subject\":{\"reference\":\"urn:uuid:6f1c0b1e-0000-4000-8000-0000000000ff\"}");
        FhirRejection rejection = catchThrowableOfType(FhirRejection.class,
                () -> formatOnly.check((Bundle) FHIR.newJsonParser().parseResource(dangling)));
        assertThat(rejection.status()).isEqualTo(422);
        assertThat(rejection.issues().get(0).expression()).isEqualTo("Bundle.entry[1].resource.subject");
        assertThat(rejection.issues().get(0).diagnostics()).doesNotContain("0000000000ff");
    }

    private static boolean passes(ReferenceChecker checker, Resource resource) {
        try {
            checker.check(resource);
            return true;
        } catch (FhirRejection e) {
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.issues().get(0).expression()).isEqualTo("Observation.subject");
            return false;
        }
    }
}
