package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TransformTest {

    @Test
    void uriSafeReplacesLikeThePatternItReplaced() {
        String[] samples = {"", "GENERAL", "St. Mary's", "a b/c:d", "Müller", "\ud83d\ude00x", "x\ud83dy", "~._-", "ÅÄÖ 123"};
        for (String sample : samples) {
            assertThat(Transform.uriSafe(sample)).as(sample).isEqualTo(sample.replaceAll("[^A-Za-z0-9._~-]", "_"));
        }
        Random random = new Random(11);
        String alphabet = "aZ09._~- /:#ü\u00e9\u4e2d\ud83d\ude00\ud83d";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = random.nextInt(12); j > 0; j--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = text.toString();
            assertThat(Transform.uriSafe(s)).as(s).isEqualTo(s.replaceAll("[^A-Za-z0-9._~-]", "_"));
        }
    }
}
