package io.caduceus.hl7.mapping;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonNumbers;
import io.caduceus.hl7.mapping.CanonicalJsonTree.JsonNumber;
import org.hl7.fhir.instance.model.api.IBaseBooleanDatatype;
import org.hl7.fhir.instance.model.api.IBaseDecimalDatatype;
import org.hl7.fhir.instance.model.api.IBaseIntegerDatatype;
import org.hl7.fhir.instance.model.api.IPrimitiveType;

/**
 * A FHIR primitive as the JSON value HAPI writes for it (string, number or boolean, decided by the same tests in the
 * same order as HAPI), for {@link CanonicalFhirJson}.
 */
final class FhirPrimitiveJson {

    /** Marks "nothing written" for a value, as distinct from a JSON null. */
    static final Object ABSENT = new Object();


    private FhirPrimitiveJson() {
    }

    static Object primitive(IPrimitiveType<?> value) {
        String text = value.getValueAsString();
        if (FhirElements.isBlank(text)) {
            return ABSENT;
        }
        // Same order of tests as HAPI, which decides between JSON strings, numbers and booleans by them.
        Object raw = value.getValue();
        if (raw instanceof String) {
            return FhirElements.checkedString(text);
        }
        if (raw instanceof Long l) {
            return new JsonNumber(CanonicalJson.formatNumber((double) l));
        }
        if (value instanceof IBaseIntegerDatatype integer) {
            // An int prints the same as ECMAScript prints its double: plain digits.
            return new JsonNumber(Integer.toString(integer.getValue()));
        }
        if (value instanceof IBaseDecimalDatatype) {
            return new JsonNumber(CanonicalJson.formatNumber(jsonNumberAsDouble(text)));
        }
        if (value instanceof IBaseBooleanDatatype bool) {
            Boolean b = bool.getValue();
            return b == null ? ABSENT : b;
        }
        return FhirElements.checkedString(text);
    }

    /**
     * HAPI writes a decimal's text verbatim as a JSON number and the canonicalizer reads it back as a double; text
     * that is not a JSON number makes the canonicalizer fail, which only the HAPI path reproduces faithfully.
     */
    static double jsonNumberAsDouble(String text) {
        if (!JsonNumbers.isNumber(text)) {
            throw new CanonicalFhirJson.Unsupported("decimal that is not a JSON number");
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw new CanonicalFhirJson.Unsupported("decimal beyond the double range");
        }
        return d;
    }
}
