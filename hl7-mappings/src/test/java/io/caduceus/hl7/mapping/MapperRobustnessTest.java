package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7ParseException;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Corrupted versions of real messages end in one of the three typed outcomes the caller can ACK, or succeed. */
class MapperRobustnessTest {

    @Property(tries = 1500)
    void corruptedFixturesFailOnlyWithTypedExceptions(@ForAll("corruptedFixtures") byte[] message) {
        try {
            Fixtures.mapper().map(message);
        } catch (Hl7ParseException | UnsupportedMessageException | MappingException expected) {
            // each of these becomes an AR or AE acknowledgement
        }
    }

    @Provide
    Arbitrary<byte[]> corruptedFixtures() {
        return Arbitraries.of(Fixtures.MESSAGES).flatMap(name -> Arbitraries.longs().map(seed -> {
            byte[] bytes = Fixtures.message(name).clone();
            Random random = new Random(seed);
            int edits = 1 + random.nextInt(6);
            byte[] alphabet = "|^~\\&0123456789XZ \r.-+".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < edits; i++) {
                bytes[random.nextInt(bytes.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            return bytes;
        }));
    }
}
