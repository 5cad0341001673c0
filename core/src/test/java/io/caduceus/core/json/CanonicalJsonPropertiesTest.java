package io.caduceus.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class CanonicalJsonPropertiesTest {

    @Property(tries = 5000)
    void everyFiniteDoubleReadsBackExactly(@ForAll double value) {
        String printed = CanonicalJson.formatNumber(value);
        assertThat(Double.parseDouble(printed)).isEqualTo(value == 0 ? 0.0 : value);
    }

    @Property(tries = 5000)
    void printedNumbersAreTheShortestThatReadBack(@ForAll double value) {
        String printed = CanonicalJson.formatNumber(value);
        String mantissa = printed.replace("-", "").split("e")[0].replace(".", "").replaceAll("^0+", "").replaceAll("0+$", "");
        assertThat(mantissa.length()).isLessThanOrEqualTo(17);
    }

    @Property(tries = 1000)
    void canonicalizationIsIdempotentAndIgnoresMemberOrder(@ForAll("objects") Map<String, Object> object) {
        String canonical = CanonicalJson.write(object);
        assertThat(CanonicalJson.canonicalString(canonical)).isEqualTo(canonical);
        Map<String, Object> reversed = new LinkedHashMap<>();
        List<String> keys = new java.util.ArrayList<>(object.keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, object.get(k)));
        assertThat(CanonicalJson.write(reversed)).isEqualTo(canonical);
    }

    @Provide
    Arbitrary<Map<String, Object>> objects() {
        Arbitrary<Object> leaves = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.doubles().map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b));
        return Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), leaves).ofMaxSize(12)
                .map(m -> (Map<String, Object>) new LinkedHashMap<>(m));
    }
}
