package io.caduceus.hl7.mapping;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** v2 text to the lexical form of a FHIR primitive type; an IllegalArgumentException says why a value cannot be. */
final class PrimitiveValues {
    private PrimitiveValues() {
    }

    static String convert(String value, String fhirType, MappingRun run) {
        switch (fhirType) {
            case "date":
            case "dateTime":
            case "instant":
                return V2DateTimes.toFhir(value, fhirType, run);
            case "decimal":
                BigDecimal number;
                try {
                    number = new BigDecimal(value.trim().startsWith("+") ? value.trim().substring(1) : value.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number");
                }
                // The canonical JSON the record is committed in holds IEEE 754 doubles (RFC 8785): a value beyond
                // them (1E400) could not be committed faithfully, so it is the message's error, not a storage failure.
                if (!Double.isFinite(number.doubleValue())) {
                    throw new IllegalArgumentException("number out of range");
                }
                return number.toString();
            case "integer":
            case "positiveInt":
            case "unsignedInt":
                try {
                    int n = Integer.parseInt(value.trim());
                    if (n < 0 && !"integer".equals(fhirType) || n == 0 && "positiveInt".equals(fhirType)) {
                        throw new IllegalArgumentException("number out of range");
                    }
                    return Integer.toString(n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not an integer");
                }
            case "boolean":
                switch (value.trim().toUpperCase(java.util.Locale.ROOT)) {
                    case "Y":
                    case "YES":
                    case "TRUE":
                    case "1":
                        return "true";
                    case "N":
                    case "NO":
                    case "FALSE":
                    case "0":
                        return "false";
                    default:
                        throw new IllegalArgumentException("not a yes/no value");
                }
            case "time":
                return time(value.trim());
            case "base64Binary":
                return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
            case "code":
            case "id":
            case "uri":
                return value.trim();
            default:
                return value;
        }
    }

    /**
     * A v2 TM ({@code HH[MM[SS[.S+]]][+/-ZZZZ]}) as FHIR's time, which has seconds and no offset: a time of day as the
     * patient's clock reads it (a dose at 06:00), so the offset, if any, is left out rather than applied.
     */
    private static String time(String tm) {
        String t = tm.matches(".*[+-]\\d{4}") ? tm.substring(0, tm.length() - 5) : tm;
        if (!t.matches("\\d{2}(\\d{2}(\\d{2}(\\.\\d{1,4})?)?)?")) {
            throw new IllegalArgumentException("not a time");
        }
        int hours = Integer.parseInt(t.substring(0, 2));
        int minutes = t.length() >= 4 ? Integer.parseInt(t.substring(2, 4)) : 0;
        int seconds = t.length() >= 6 ? Integer.parseInt(t.substring(4, 6)) : 0;
        if (hours > 23 || minutes > 59 || seconds > 59) {
            throw new IllegalArgumentException("not a time");
        }
        return String.format(java.util.Locale.ROOT, "%02d:%02d:%02d%s", hours, minutes, seconds,
                t.length() > 6 ? t.substring(6) : "");
    }
}
