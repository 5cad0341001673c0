package io.caduceus.hl7.mapping;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few value functions a mapping file may name; kept in code so mapping files stay data. */
enum Transform {
    /** An HD (namespace, universal id, universal id type) as a URI, for identifier systems. */
    HD_TO_URI("hdToUri"),
    /** Lower bound of a reference range such as {@code 3.5-5.1} or {@code >10}. */
    /** An EI (entity id, then namespace, universal id, type as components 2 to 4) system as a URI. */
    EI_TO_URI("eiToUri"),
    RANGE_LOW("rangeLow"),
    RANGE_HIGH("rangeHigh"),
    LOWER("lower"),
    /** A language code as a BCP-47 tag ({@code EN}, {@code eng} to {@code en}; {@code en_us} to {@code en-US}), or none. */
    BCP47("bcp47"),
    /** A unit as the UCUM code FHIR accepts ({@code MG/DL} to {@code mg/dl}, {@code mcg} to {@code ug}), or none. */
    UCUM("ucum"),
    /** The text itself when it is a date/time to the day at least (a FHIR instant can be made of it), else none. */
    INSTANT("instant");

    private static final Pattern RANGE =
            Pattern.compile("\\s*(-?\\d+(?:\\.\\d+)?)\\s*-\\s*(-?\\d+(?:\\.\\d+)?)\\s*");
    private static final Pattern ABOVE = Pattern.compile("\\s*>=?\\s*(-?\\d+(?:\\.\\d+)?)\\s*");
    private static final Pattern BELOW = Pattern.compile("\\s*<=?\\s*(-?\\d+(?:\\.\\d+)?)\\s*");

    final String yamlName;

    Transform(String yamlName) {
        this.yamlName = yamlName;
    }

    static Transform named(String name, String where) {
        for (Transform t : values()) {
            if (t.yamlName.equals(name)) {
                return t;
            }
        }
        throw new IllegalStateException(where + ": unknown transform '" + name + "'");
    }

    /** Whether the transform reads the whole composite rather than its text. */
    boolean readsComposite() {
        return this == HD_TO_URI || this == EI_TO_URI;
    }

    String apply(V2Node node, String text) {
        switch (this) {
            case HD_TO_URI:
                return hdToUri(node, 1);
            case EI_TO_URI:
                return hdToUri(node, 2);
            case RANGE_LOW:
                return rangeBound(text, true);
            case RANGE_HIGH:
                return rangeBound(text, false);
            case LOWER:
                return text.toLowerCase(Locale.ROOT);
            case BCP47:
                return Bcp47Languages.normalise(text);
            case UCUM:
                return UcumUnits.normalise(text);
            case INSTANT:
                return V2DateTimes.isInstant(text) ? text : null;
            default:
                throw new AssertionError(this);
        }
    }

    private static String hdToUri(V2Node hd, int first) {
        String namespace = hd.child(first).text();
        String universalId = hd.child(first + 1).text();
        String type = hd.child(first + 2).text();
        if (universalId != null && type != null) {
            switch (type.toUpperCase(Locale.ROOT)) {
                case "ISO":
                    return "urn:oid:" + universalId.trim();
                case "UUID":
                    return "urn:uuid:" + universalId.trim().toLowerCase(Locale.ROOT);
                case "URI":
                case "URL":
                    return universalId.trim();
                default:
                    break;
            }
        }
        String local = namespace != null ? namespace : universalId;
        return local == null ? null : "urn:id:" + uriSafe(local.trim());
    }

    /**
     * {@code text.replaceAll("[^A-Za-z0-9._~-]", "_")} (one "_" per code point, as the pattern matches) without
     * compiling a pattern for every identifier mapped.
     */
    static String uriSafe(String text) {
        int i = 0;
        while (i < text.length() && isUnreserved(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, i);
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            out.append(codePoint < 0x80 && isUnreserved((char) codePoint) ? (char) codePoint : '_');
            i += Character.charCount(codePoint);
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '~'
                || c == '-';
    }

    private static String rangeBound(String text, boolean low) {
        Matcher m = RANGE.matcher(text);
        if (m.matches()) {
            return low ? m.group(1) : m.group(2);
        }
        m = (low ? ABOVE : BELOW).matcher(text);
        return m.matches() ? m.group(1) : null;
    }
}
