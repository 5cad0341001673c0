package io.caduceus.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    @Test
    void rfc8785SectionThreeTwoTwoExample() {
        String input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n}";
        assertThat(CanonicalJson.canonicalString(input)).isEqualTo(
                "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                        + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    @Test
    void sortsMembersByUtf16CodeUnitsAsRfc8785SectionThreeTwoThree() {
        String input = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
        String canonical = CanonicalJson.canonicalString(input);
        assertThat(canonical).isEqualTo("{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\","
                + "\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "4.9E-324, 5e-324",
        "1.7976931348623157E308, 1.7976931348623157e+308",
        "9007199254740992, 9007199254740992",
        "1E23, 1e+23",
        "9.999999999999997E22, 9.999999999999997e+22",
        "1E21, 1e+21",
        "999999999999999900000, 999999999999999900000",
        "1E20, 100000000000000000000",
        "295147905179352830000, 295147905179352830000",
        "0.000001, 0.000001",
        "1E-7, 1e-7",
        "9.999999999999997E-7, 9.999999999999997e-7",
        "-0.0, 0",
        "-1.5, -1.5",
        "333333333.3333332, 333333333.3333332",
        "0.1, 0.1",
        "100, 100",
        "123.456, 123.456"
    })
    void printsNumbersAsEcmaScriptDoes(double value, String expected) {
        assertThat(CanonicalJson.formatNumber(value)).isEqualTo(expected);
    }

    @Test
    void sameContentInAnyLayoutGivesTheSameBytes() {
        byte[] a = CanonicalJson.canonicalize("{\"b\": [1, 2.0, {\"y\": null, \"x\": true}], \"a\": \"\\u00e9\"}");
        byte[] b = CanonicalJson.canonicalize("{\"a\":\"\u00e9\",\"b\":[1.0,2,{\"x\":true,\"y\":null}]}");
        assertThat(a).isEqualTo(b);
        assertThat(new String(a, StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"\u00e9\",\"b\":[1,2,{\"x\":true,\"y\":null}]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"a\":1,\"a\":2}", "[1,]", "{\"a\":01}", "\"\\ud800\"", "[1] x", "{\"a\" 1}", "tru", "-", "1.", "1e", "[\"\u0001\"]",
        "1e400", "", "{", "[", "\"abc", "\"\\x\""
    })
    void rejectsWhatIsNotIJson(String input) {
        assertThatThrownBy(() -> CanonicalJson.canonicalize(input)).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("invalid JSON at offset");
    }

    @Test
    void rejectsNestingBeyondTheLimitWithoutStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> CanonicalJson.canonicalize(deep)).isInstanceOf(JsonException.class).hasMessageContaining("nesting");
    }

    @Test
    void errorMessagesNeverEchoTheInput() {
        String secret = "{\"name\":\"Smithsonian-Doe\", \"name\":\"x\"}";
        assertThatThrownBy(() -> CanonicalJson.canonicalize(secret)).message().doesNotContain("Smithsonian");
    }
}
