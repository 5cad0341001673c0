package io.caduceus.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caduceus.core.fuzz.PhiMarker;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the strict JSON reader every canonical digest starts from. Without {@code JAZZER_FUZZ}
 * (a plain {@code ./mvnw verify}) only the committed inputs under {@code CanonicalJsonFuzzTestInputs/} are replayed;
 * {@code -Pfuzz} mutates them for {@code fuzz.max-duration}.
 */
class CanonicalJsonFuzzTest {

    @FuzzTest
    void parseRejectsOnlyWithJsonExceptionAndCanonicalFormIsAFixedPoint(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        String canonical;
        try {
            canonical = CanonicalJson.canonicalString(json);
        } catch (JsonException e) {
            PhiMarker.assertNotEchoed(e, json);
            return;
        }
        // What was accepted once must be accepted again, unchanged: a digest must not depend on who canonicalized.
        assertThat(CanonicalJson.canonicalString(canonical)).isEqualTo(canonical);
    }
}
