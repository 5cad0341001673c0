package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caduceus.hl7.fuzz.PhiMarker;
import io.caduceus.hl7.v2.Hl7Message;
import io.caduceus.hl7.v2.Hl7ParseException;

/**
 * Coverage-guided fuzzing of what an MLLP frame's content goes through: the HL7 v2 parser, then the mapper in both
 * modes, then the canonical encoding of the Bundle. Refusals must be the documented ones (which the route answers
 * AE/AR and quarantines) and must not quote the message. Regression inputs and seeds (fixture messages with the
 * patient's name replaced by the marker) are under {@code Hl7MappingFuzzTestInputs/<method>/}.
 */
class Hl7MappingFuzzTest {

    private static final Hl7ToFhirMapper MAPPER = Fixtures.mapper();

    @FuzzTest
    void lenientMapping(byte[] input) {
        mapOrRefuse(input, MappingMode.LENIENT);
    }

    @FuzzTest
    void strictMapping(byte[] input) {
        mapOrRefuse(input, MappingMode.STRICT);
    }

    private static void mapOrRefuse(byte[] input, MappingMode mode) {
        try {
            MappingResult result = MAPPER.map(Hl7Message.parse(input), mode);
            assertThat(result.canonicalJson()).isNotEmpty();
        } catch (Hl7ParseException | UnsupportedMessageException | MappingException e) {
            PhiMarker.assertNotEchoed(e);
        }
    }
}
