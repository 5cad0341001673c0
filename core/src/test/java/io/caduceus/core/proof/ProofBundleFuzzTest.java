package io.caduceus.core.proof;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caduceus.core.fuzz.PhiMarker;
import io.caduceus.core.json.JsonException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the proof bundle reader, the one input the verifier takes from whoever hands it a
 * bundle. Regression inputs (and the seeds -Pfuzz starts from) are under {@code ProofBundleFuzzTestInputs/}.
 */
class ProofBundleFuzzTest {

    @FuzzTest
    void readerRejectsOnlyWithJsonExceptionAndRoundTrips(byte[] input) {
        String json = new String(input, StandardCharsets.UTF_8);
        ProofBundle bundle;
        try {
            bundle = ProofBundle.fromJson(json);
        } catch (JsonException e) {
            PhiMarker.assertNotEchoed(e, json);
            return;
        }
        // A bundle that was read must write out as a bundle that reads back the same: the verifier re-serializes.
        assertThat(ProofBundle.fromJson(bundle.toJson())).isEqualTo(bundle);
    }
}
