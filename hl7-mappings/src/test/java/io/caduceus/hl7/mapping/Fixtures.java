package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.keys.DeploymentKeys;
import io.caduceus.hl7.v2.Hl7Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The fixture messages and their golden Bundles, one pair per supported trigger event. */
final class Fixtures {
    static final List<String> MESSAGES = List.of("ADT_A01", "ADT_A02", "ADT_A03", "ADT_A04", "ADT_A05", "ADT_A06",
            "ADT_A07", "ADT_A08", "ADT_A11", "ADT_A12", "ADT_A13", "ADT_A14", "ADT_A16", "ADT_A21", "ADT_A22", "ADT_A23",
            "ADT_A28", "ADT_A31", "ADT_A38", "ADT_A40", "ORU_R01", "VXU_V04", "SIU_S12", "MDM_T02", "DFT_P03", "ORM_O01",
            "OML_O21", "RDE_O11", "RAS_O17", "PPR_PC1", "BAR_P01");

    /** Where -Dcaduceus.updateGoldens=true writes; Surefire runs with the module folder as working directory. */
    static final Path GOLDEN_SOURCE_FOLDER = Path.of("src", "test", "resources", "golden");

    /** The deployment secret of these tests (32 bytes of 0x2a): the golden bundles' ids are keyed with it. */
    static final DeploymentKeys KEYS = new DeploymentKeys(testSecret(0x2a));

    private static final Hl7ToFhirMapper MAPPER = builder().build();

    private Fixtures() {
    }

    static byte[] testSecret(int fill) {
        byte[] secret = new byte[32];
        java.util.Arrays.fill(secret, (byte) fill);
        return secret;
    }

    /** A mapper builder keyed as the golden bundles were made. */
    static Hl7ToFhirMapper.Builder builder() {
        return Hl7ToFhirMapper.builder().resourceIdKey(KEYS.keyFor(DeploymentKeys.Purpose.RESOURCE_ID));
    }

    static Hl7ToFhirMapper mapper() {
        return MAPPER;
    }

    /** The segments as one message, mapped as for a lenient sender: nothing may be left out, and FHIR finds no error. */
    static MappingResult mapValid(String... segments) throws Exception {
        MappingResult result = mapper().map(
                Hl7Message.parse(String.join("\r", segments).getBytes(StandardCharsets.UTF_8)), MappingMode.LENIENT);
        assertThat(result.issues()).isEmpty();
        assertThat(FhirValidation.errors(new String(result.canonicalJson(), StandardCharsets.UTF_8))).isEmpty();
        return result;
    }

    static byte[] message(String name) {
        return resource("/fixtures/" + name + ".hl7");
    }

    static byte[] golden(String name) {
        return resource("/golden/" + name + ".json");
    }

    static byte[] resource(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
