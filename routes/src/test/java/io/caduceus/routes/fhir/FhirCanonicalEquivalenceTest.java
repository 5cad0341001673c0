package io.caduceus.routes.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.hl7.mapping.FhirCanonicalJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The canonical bytes of accepted content make its record id: the intake's direct writer must give exactly the bytes
 * of HAPI's encoder and the canonicalizer (what main stored), or refuse exactly where they refuse, for every body of
 * the FHIR corpus and its mutants that parses.
 */
class FhirCanonicalEquivalenceTest {

    @Test
    void sameBytesAsHapisEncoderAndTheCanonicalizer() throws Exception {
        FhirResourceReader reader = new FhirResourceReader(FhirTestBeans.FHIR, 64);
        int compared = 0;
        for (Map.Entry<String, String> body : FhirCorpus.bodies().entrySet()) {
            FhirResourceReader.Parsed parsed;
            try {
                parsed = reader.read(body.getValue(), body.getValue().stripLeading().startsWith("<") ? FhirFormat.XML : FhirFormat.JSON);
            } catch (FhirRejection notParsed) {
                continue;
            }
            Object expected = outcome(() -> FhirCanonicalJson.throughHapi(FhirTestBeans.FHIR, parsed.resource()));
            Object actual = outcome(() -> FhirCanonicalJson.of(FhirTestBeans.FHIR, parsed.resource()));
            assertThat(actual).as(body.getKey()).isEqualTo(expected);
            compared++;
        }
        assertThat(compared).isGreaterThan(200);
    }

    /** The bytes as text, or the class of what was thrown (HAPI's encoder throws on some content the parser let in). */
    private static Object outcome(java.util.function.Supplier<byte[]> encoding) {
        try {
            return new String(encoding.get(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
