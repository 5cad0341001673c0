package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validator the application uses (HAPI's InstanceValidators pooled and used again) against HAPI's own module
 * configured as the application configured it before (a new InstanceValidator per validation): same issues, in the
 * same order, for every body of a corpus of valid content (the FHIR test fixtures, the mapper's golden bundles) and
 * invalid mutants of it, validated one after another on the same thread so that what one validation leaves behind
 * would show in the next.
 */
class PooledInstanceValidatorTest {

    private static final Path GOLDEN = Path.of("../../hl7-mappings/src/test/resources/golden");
    private static final Path FUZZ = Path.of("../../routes/src/test/resources/io/caduceus/edge/fhir/FhirIntakeFuzzTestInputs");
    private static final Pattern STRING_VALUE = Pattern.compile("\"([A-Za-z]+)\":\"([^\"\\\\]{1,60})\"");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]+)\"|^\\s*<([A-Za-z]+)");

    @TempDir
    static Path profiles;

    private static ProfileValidator pooled;
    private static ProfileValidator hapi;

    @BeforeAll
    static void create() throws IOException {
        // A constraint profile, so that configured and claimed profiles are part of what is compared.
        Files.writeString(profiles.resolve("patient-with-birthdate.json"), """
                {"resourceType":"StructureDefinition","url":"http://example.org/fhir/StructureDefinition/patient-bd",
                 "name":"PatientWithBirthDate","status":"active","kind":"resource","abstract":false,"type":"Patient",
                 "baseDefinition":"http://hl7.org/fhir/StructureDefinition/Patient","derivation":"constraint",
                 "differential":{"element":[{"id":"Patient.birthDate","path":"Patient.birthDate","min":1}]}}
                """);
        pooled = ProfileValidator.create(FhirContext.forR4Cached(), profiles, true);
        hapi = ProfileValidator.create(FhirContext.forR4Cached(), profiles, false);
    }

    @Test
    void sameIssuesAsHapisOwnValidatorOverTheCorpusAndItsMutants() throws IOException {
        Map<String, String> corpus = corpus();
        int refused = 0;
        int accepted = 0;
        for (Map.Entry<String, String> body : corpus.entrySet()) {
            String type = resourceType(body.getValue());
            List<FhirRejection.Issue> expected = hapi.validate(body.getValue(), type);
            List<FhirRejection.Issue> actual = pooled.validate(body.getValue(), type);
            assertThat(actual).as(body.getKey()).isEqualTo(expected);
            if (expected.isEmpty()) {
                accepted++;
            } else {
                refused++;
            }
        }
        // The corpus must exercise both verdicts, or the comparison proves little.
        assertThat(accepted).as("accepted bodies").isGreaterThanOrEqualTo(30);
        assertThat(refused).as("refused bodies").isGreaterThanOrEqualTo(100);
    }

    /**
     * A reused validator must not hold on to what it validated: HAPI's CodingsObserver kept every coding (and its
     * element) of every bundle, and the middleware's heap ran out under load.
     */
    @Test
    void aReusedValidatorKeepsNothingOfWhatItValidated() throws Exception {
        assertThat(PooledInstanceValidator.CODINGS_SEEN).as("HAPI's CodingsObserver list, found by reflection").isNotNull();
        PooledInstanceValidator module = new PooledInstanceValidator(new ca.uhn.fhir.context.support.DefaultProfileValidationSupport(
                FhirContext.forR4Cached()));
        ca.uhn.fhir.validation.FhirValidator validator = FhirContext.forR4Cached().newValidator().registerValidatorModule(module);
        for (int i = 0; i < 5; i++) {
            validator.validateWithResult(FhirSamples.transaction("MRN-" + i, 3));
        }
        assertThat(module.idleValidators()).hasSize(1);
        assertThat(PooledInstanceValidator.codingsSeen(module.idleValidators().get(0))).isZero();
    }

    /**
     * Many threads validating at once share at most one validator per core: the memory the pool keeps is bounded by
     * the cores, not by the callers' threads; and each validation still gets its own verdict.
     */
    @Test
    void manyThreadsShareAtMostOneValidatorPerCore() throws Exception {
        PooledInstanceValidator module = new PooledInstanceValidator(new ca.uhn.fhir.context.support.DefaultProfileValidationSupport(
                FhirContext.forR4Cached()));
        ca.uhn.fhir.validation.FhirValidator validator = FhirContext.forR4Cached().newValidator().registerValidatorModule(module);
        String valid = FhirSamples.transaction("MRN-1", 2);
        String invalid = valid.replace("\"type\":\"transaction\"", "\"type\":\"transaction\",\"sex\":\"x\"");
        // This bare module (no terminology services) has its own verdicts; what matters is that they differ and hold.
        int validErrors = errors(validator.validateWithResult(valid));
        int invalidErrors = errors(validator.validateWithResult(invalid));
        assertThat(invalidErrors).isGreaterThan(validErrors);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(4 * PooledInstanceValidator.POOL_SIZE + 2);
        try {
            List<java.util.concurrent.Future<Boolean>> verdicts = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                boolean bad = i % 3 == 0;
                verdicts.add(threads.submit(() -> errors(validator.validateWithResult(bad ? invalid : valid)) == (bad ? invalidErrors : validErrors)));
            }
            for (java.util.concurrent.Future<Boolean> verdict : verdicts) {
                assertThat(verdict.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(module.idleValidators()).isNotEmpty().hasSizeLessThanOrEqualTo(PooledInstanceValidator.POOL_SIZE);
    }

    /** More validations than one pooled InstanceValidator serves: the replacement gives the same verdicts. */
    @Test
    void aReplacedValidatorGivesTheSameVerdicts() {
        String valid = FhirSamples.transaction("MRN-1", 2);
        String invalid = valid.replace("\"final\"", "\"finished-ish\"");
        List<FhirRejection.Issue> refusal = hapi.validate(invalid, "Bundle");
        assertThat(refusal).isNotEmpty();
        for (int i = 0; i < PooledInstanceValidator.USES_PER_VALIDATOR + 5; i++) {
            if (i % 97 == 0) {
                assertThat(pooled.validate(invalid, "Bundle")).isEqualTo(refusal);
            } else {
                assertThat(pooled.validate(valid, "Bundle")).isEmpty();
            }
        }
    }

    private static int errors(ca.uhn.fhir.validation.ValidationResult result) {
        return (int) result.getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal()).count();
    }

    private static String resourceType(String body) {
        Matcher m = RESOURCE_TYPE.matcher(body);
        if (!m.find()) {
            return "Unknown";
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    private static Map<String, String> corpus() throws IOException {
        Map<String, String> valid = new LinkedHashMap<>();
        valid.put("patient", FhirSamples.patient("MRN-1"));
        valid.put("patient.xml", FhirSamples.patientXml("MRN-1"));
        valid.put("transaction", FhirSamples.transaction("MRN-1", 9));
        valid.put("profiled patient", FhirSamples.patient("MRN-2").replace("{\"resourceType\":\"Patient\",",
                "{\"resourceType\":\"Patient\",\"meta\":{\"profile\":[\"http://example.org/fhir/StructureDefinition/patient-bd\"]},"));
        try (Stream<Path> files = Stream.concat(Files.list(GOLDEN), Files.walk(FUZZ))) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                valid.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        assertThat(valid).hasSizeGreaterThan(30);
        Map<String, String> corpus = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : valid.entrySet()) {
            corpus.put(e.getKey(), e.getValue());
            mutants(e.getValue()).forEach((name, body) -> corpus.put(e.getKey() + " / " + name, body));
        }
        return corpus;
    }

    /** Invalid variants: each one breaks a different rule of the validator. */
    private static Map<String, String> mutants(String body) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bad code", body.replace("\"female\"", "\"robot\"").replace("\"final\"", "\"finished-ish\"")
                .replace("<gender value=\"male\"/>", "<gender value=\"robot\"/>"));
        m.put("bad date", body.replaceAll("\"(\\d{4})-\\d{2}-\\d{2}\"", "\"$1-13-45\""));
        m.put("unknown element", body.replaceFirst("\"resourceType\":\"(\\w+)\",", "\"resourceType\":\"$1\",\"sex\":\"x\",")
                .replace("<gender ", "<sex value=\"x\"/><gender "));
        m.put("missing status", body.replace("\"status\":\"final\",", "").replace("\"status\":\"finished\",", ""));
        m.put("number as text", body.replaceAll("\"value\":(\\d+)", "\"value\":\"$1\""));
        m.put("unknown profile claimed", body.replaceFirst("\\{\"resourceType\":\"(\\w+)\",",
                "{\"resourceType\":\"$1\",\"meta\":{\"profile\":[\"http://example.org/fhir/StructureDefinition/nowhere\"]},"));
        m.put("truncated", body.substring(0, body.length() / 2));
        m.put("wrong type", body.replaceFirst("\"resourceType\":\"\\w+\"", "\"resourceType\":\"Nonsense\""));
        // Every fourth string value emptied (FHIR forbids empty strings), and one blanked to whitespace.
        Matcher values = STRING_VALUE.matcher(body);
        List<int[]> spans = new ArrayList<>();
        while (values.find()) {
            if (!values.group(1).equals("resourceType") && !values.group(1).equals("url") && !values.group(1).equals("fullUrl")) {
                spans.add(new int[] {values.start(2), values.end(2)});
            }
        }
        for (int i = 0; i < spans.size(); i += 4) {
            int[] s = spans.get(i);
            m.put("emptied value " + i, body.substring(0, s[0]) + body.substring(s[1]));
            if (i % 16 == 0) {
                m.put("blank value " + i, body.substring(0, s[0]) + "  " + body.substring(s[1]));
            }
        }
        m.values().removeIf(body::equals);
        return m;
    }
}
