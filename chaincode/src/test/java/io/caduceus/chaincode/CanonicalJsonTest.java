package io.caduceus.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    @Test
    void sortsKeysAtEveryLevelWithoutWhitespace() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(true, false, 2L));
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("b", inner);
        outer.put("a", "x");

        assertThat(CanonicalJson.write(outer)).isEqualTo("{\"a\":\"x\",\"b\":{\"a\":[true,false,2],\"z\":1}}");
    }

    @Test
    void escapesOnlyWhatJsonRequires() {
        assertThat(CanonicalJson.write("q\"b\\n\nr\rt\tb\bf\fc\u0001é€"))
                .isEqualTo("\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\u0001é€\"");
    }

    @Test
    void refusesValuesWithoutACanonicalForm() {
        assertThatThrownBy(() -> CanonicalJson.write(1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.write(java.util.Arrays.asList("a", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }

    @Test
    void parsesIntoPlainMapsAndLongs() {
        Map<String, Object> map = CanonicalJson.parseObject("{\"n\":1,\"big\":12345678901,\"l\":[{\"x\":null}]}", "t");

        assertThat(map.get("n")).isEqualTo(1L);
        assertThat(map.get("big")).isEqualTo(12345678901L);
        assertThat(map.get("l")).isEqualTo(List.of(java.util.Collections.singletonMap("x", null)));
        assertThat(CanonicalJson.write(CanonicalJson.parseObject("{ \"b\" : [1, \"2\"], \"a\" : {} }", "t")))
                .isEqualTo("{\"a\":{},\"b\":[1,\"2\"]}");
    }

    @Test
    void parseErrorsAreTypedAndDoNotEchoInput() {
        assertThatThrownBy(() -> CanonicalJson.parseObject("{\"pp1_secret\":", "thing"))
                .isInstanceOf(ChaincodeException.class).hasMessage("thing is not valid JSON")
                .hasMessageNotContaining("pp1_secret");
        assertThatThrownBy(() -> CanonicalJson.parseObject("{\"a\":1,\"a\":2}", "thing"))
                .isInstanceOf(ChaincodeException.class);
        assertThatThrownBy(() -> CanonicalJson.parseArray("{}", "thing"))
                .isInstanceOf(ChaincodeException.class).hasMessage("thing must be a JSON array");
    }

    @Test
    void nullFieldCountsAsMissing() {
        Map<String, Object> map = CanonicalJson.parseObject("{\"a\":null,\"f\":1.5}", "t");

        assertThatThrownBy(() -> Fields.requireString(map, "a", "t")).hasMessage("t is missing a");
        assertThat(Fields.optionalString(map, "a", "t")).isNull();
        assertThatThrownBy(() -> Fields.requireLong(map, "f", 0, "t")).hasMessage("t field f must be an integer");
    }
}
