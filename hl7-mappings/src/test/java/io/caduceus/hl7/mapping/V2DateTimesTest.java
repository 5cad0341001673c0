package io.caduceus.hl7.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The hand-written DTM reader must split exactly as the regular expression it replaced, and reject what it rejected. */
class V2DateTimesTest {

    private static final Pattern REFERENCE = Pattern.compile(
            "(\\d{4})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,4}))?)?)?)?)?)?([+-]\\d{4})?");

    @ParameterizedTest
    @ValueSource(strings = {"2026", "202611", "20261125", "2026112510", "202611251015", "20261125101501",
        "20261125101501.1", "20261125101501.1234", "20261125101501.12345", "20261125101501.", "202611251015.5",
        "2026+0100", "20261125-0500", "20261125101501.12+0130", "20261125101501+013", "20261125101501+01300",
        "202", "20261", "2026112", "2026-11-25", "", "+0100", "2026112510150", "２０２６", "2026111\u0661",
        "20261125101501.1234-0000", "99999999999999.9999+9999", "2026 11", "20261125101501.12a"})
    void readsLikeTheRegularExpression(String text) {
        assertSameAsReference(text);
    }

    @Test
    void readsRandomTextLikeTheRegularExpression() {
        Random random = new Random(20261204);
        String alphabet = "0123456789012345678901234567890123456789.+- x";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(26);
            for (int j = 0; j < length; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertSameAsReference(text.toString());
        }
    }

    private static void assertSameAsReference(String text) {
        Matcher m = REFERENCE.matcher(text);
        String[] parts = V2DateTimes.dtm(text);
        if (!m.matches()) {
            assertThat(parts).as(text).isNull();
            return;
        }
        assertThat(parts).as(text).isNotNull();
        for (int group = 1; group <= 8; group++) {
            assertThat(parts[group]).as(text + " group " + group).isEqualTo(m.group(group));
        }
    }
}
