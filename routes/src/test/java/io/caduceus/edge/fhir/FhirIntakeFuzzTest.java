package io.caduceus.edge.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.routes.fuzz.PhiMarker;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of what a FHIR write's body goes through before validation: the nesting check, HAPI's JSON
 * or XML parser behind {@link FhirResourceReader}, and the canonical JSON the record is committed as. A refusal must
 * be a {@link FhirRejection} (answered 400 with an OperationOutcome), never another exception (a 500), and must not
 * quote the body. Profile validation is left out: it dominates the cost of an execution and reads the parsed
 * resource, not the bytes.
 */
class FhirIntakeFuzzTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final FhirResourceReader READER = new FhirResourceReader(FHIR, 64);

    @FuzzTest
    void jsonBody(byte[] input) {
        readOrRefuse(input, FhirFormat.JSON);
    }

    @FuzzTest
    void xmlBody(byte[] input) {
        readOrRefuse(input, FhirFormat.XML);
    }

    private static void readOrRefuse(byte[] input, FhirFormat format) {
        String text;
        try {
            // As FhirInbound decodes: a body that is not UTF-8 is refused before any parser sees it.
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(input)).toString();
        } catch (CharacterCodingException e) {
            return;
        }
        FhirResourceReader.Parsed parsed;
        try {
            parsed = READER.read(text, format);
        } catch (FhirRejection rejection) {
            assertNotEchoed(rejection);
            return;
        }
        for (FhirRejection.Issue issue : parsed.parseIssues()) {
            // Element names are named on purpose (they are the position); values never are.
            assertThat(String.valueOf(issue.diagnostics())).doesNotContain(PhiMarker.MARKER);
        }
        if (!parsed.parseIssues().isEmpty()) {
            // FhirInbound answers these 422 before encoding: a value the tolerant parser could not read is kept as
            // text only, and HAPI's encoder fails on it (NullPointerException for an IntegerType holding "1e400").
            return;
        }
        String json = FHIR.newJsonParser().encodeResourceToString(parsed.resource());
        try {
            assertThat(CanonicalJson.canonicalize(json)).isNotEmpty();
        } catch (JsonException e) {
            // FhirInbound answers this 422: a number beyond what I-JSON holds exactly.
            PhiMarker.assertNotEchoed(e);
        }
    }

    private static void assertNotEchoed(FhirRejection rejection) {
        PhiMarker.assertNotEchoed(rejection);
        for (FhirRejection.Issue issue : rejection.issues()) {
            assertThat(String.valueOf(issue.diagnostics())).doesNotContain(PhiMarker.MARKER);
        }
    }
}
