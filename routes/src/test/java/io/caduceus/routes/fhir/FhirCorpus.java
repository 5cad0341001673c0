package io.caduceus.routes.fhir;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * FHIR request bodies for equivalence tests: the FHIR test fixtures, the mapper's golden bundles, and invalid mutants
 * of each (bad codes and dates, unknown elements, missing status, numbers as text, unknown claimed profile, truncated
 * text, unknown resource type, emptied and blanked values).
 */
final class FhirCorpus {

    private static final Path GOLDEN = Path.of("../hl7-mappings/src/test/resources/golden");
    private static final Path FUZZ = Path.of("src/test/resources/io/caduceus/routes/fhir/FhirIntakeFuzzTestInputs");
    private static final Pattern STRING_VALUE = Pattern.compile("\"([A-Za-z]+)\":\"([^\"\\\\]{1,60})\"");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]+)\"|^\\s*<([A-Za-z]+)");

    private FhirCorpus() {
    }

    static String resourceType(String body) {
        Matcher m = RESOURCE_TYPE.matcher(body);
        if (!m.find()) {
            return "Unknown";
        }
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    static Map<String, String> bodies() throws IOException {
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
