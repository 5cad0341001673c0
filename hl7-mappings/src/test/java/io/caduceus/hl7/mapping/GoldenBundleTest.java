package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GoldenBundleTest {
    private static final boolean UPDATE = Boolean.getBoolean("caduceus.updateGoldens");

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void mapsFixtureToGoldenBundle(String name) throws Exception {
        MappingResult result = Fixtures.mapper().map(Fixtures.message(name));
        byte[] actual = result.canonicalJson();
        if (UPDATE) {
            Files.createDirectories(Fixtures.GOLDEN_SOURCE_FOLDER);
            Files.write(Fixtures.GOLDEN_SOURCE_FOLDER.resolve(name + ".json"), actual);
            return;
        }
        assertThat(new String(actual, StandardCharsets.UTF_8))
                .as("mapping of %s differs from golden/%s.json; rerun with -Dcaduceus.updateGoldens=true if intended",
                        name, name)
                .isEqualTo(new String(Fixtures.golden(name), StandardCharsets.UTF_8));
        assertThat(result.messageType() + "_" + result.triggerEvent()).isEqualTo(name);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("io.caduceus.hl7.mapping.Fixtures#MESSAGES")
    void mappingTwiceGivesIdenticalBytes(String name) throws Exception {
        byte[] first = Fixtures.mapper().map(Fixtures.message(name)).canonicalJson();
        byte[] second = Fixtures.builder().build().map(Fixtures.message(name)).canonicalJson();
        assertThat(second).isEqualTo(first);
    }

}
