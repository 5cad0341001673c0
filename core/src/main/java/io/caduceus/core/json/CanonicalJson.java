package io.caduceus.core.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON Canonicalization Scheme (RFC 8785): the same JSON content always serializes to the same bytes, whatever order
 * or whitespace it arrived with, so that a digest of a FHIR resource means the content and not the serializer.
 *
 * <p>Members are sorted by their UTF-16 code units, strings use the minimal escaping of ECMAScript's
 * {@code JSON.stringify}, numbers are IEEE 754 doubles printed as ECMAScript's {@code Number.prototype.toString}
 * does (so {@code 1.50} and {@code 1.5} are the same content; FHIR decimals keep their value, not their precision).
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    /** The canonical UTF-8 bytes of a JSON text. */
    public static byte[] canonicalize(String json) {
        return canonicalString(json).getBytes(StandardCharsets.UTF_8);
    }

    /** The canonical form of a JSON text, as a string. */
    public static String canonicalString(String json) {
        return write(JsonReader.read(json));
    }

    /**
     * Parses strict JSON into {@code Map<String,Object>}, {@code List<Object>}, {@code String}, {@code Double},
     * {@code Boolean} or {@code null}.
     */
    public static Object parse(String json) {
        return JsonReader.read(json);
    }

    /**
     * Writes a value tree in canonical form. Besides what {@link #parse} produces, accepts any {@link Number} that is
     * exactly representable as a double (an {@code Integer}, a {@code Long} up to 2^53) and any {@link CharSequence}.
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder(256);
        writeValue(value, out);
        return out.toString();
    }

    private static void writeValue(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            writeObject(map, out);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeValue(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof CharSequence s) {
            writeString(s.toString(), out);
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Double || value instanceof Float) {
            out.append(formatNumber(((Number) value).doubleValue()));
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long l = ((Number) value).longValue();
            if (Math.abs(l) > (1L << 53)) {
                throw new JsonException("integer beyond 2^53 cannot be represented exactly in I-JSON");
            }
            out.append(formatNumber((double) l));
        } else {
            throw new JsonException("cannot write a value of type " + value.getClass().getName() + " as JSON");
        }
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out) {
        List<String> keys = new ArrayList<>(map.size());
        for (Object key : map.keySet()) {
            if (!(key instanceof String s)) {
                throw new JsonException("member names must be strings");
            }
            keys.add(s);
        }
        // String.compareTo compares UTF-16 code units, which is exactly the order RFC 8785 section 3.2.3 asks for.
        keys.sort(null);
        out.append('{');
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeString(keys.get(i), out);
            out.append(':');
            writeValue(map.get(keys.get(i)), out);
        }
        out.append('}');
    }

    /**
     * Appends a string as RFC 8785 writes it. Public so that writers producing canonical JSON without going through
     * a value tree escape exactly as {@link #write} does.
     */
    public static void appendString(String s, StringBuilder out) {
        writeString(s, out);
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        int length = s.length();
        int firstEscaped = 0;
        while (firstEscaped < length && !needsEscape(s.charAt(firstEscaped))) {
            firstEscaped++;
        }
        // Most text needs no escape: appending it whole is an array copy instead of a call per char.
        if (firstEscaped == length) {
            out.append(s).append('"');
            return;
        }
        out.append(s, 0, firstEscaped);
        for (int i = firstEscaped; i < length; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == '"' || c == '\\';
    }

    /**
     * ECMAScript Number.prototype.toString (ECMA-262 section 7.1.12.1) of a finite double: the shortest decimal that
     * reads back as the same double, laid out in plain or exponent notation by the same thresholds as JavaScript.
     * Public so that writers producing canonical JSON without a value tree format numbers exactly as {@link #write}.
     */
    public static String formatNumber(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new JsonException("NaN and Infinity are not JSON numbers");
        }
        if (d == 0) {
            return "0"; // also for -0, as ECMAScript prints it
        }
        StringBuilder out = new StringBuilder(24);
        if (d < 0) {
            out.append('-');
            d = -d;
        }
        BigDecimal shortest = shortestRoundTrip(d);
        String digits = shortest.unscaledValue().toString();
        // Strip trailing zeros from the digit string; they are carried by the exponent instead.
        int k = digits.length();
        while (k > 1 && digits.charAt(k - 1) == '0') {
            k--;
        }
        digits = digits.substring(0, k);
        int n = shortest.precision() - shortest.scale(); // value = 0.digits * 10^n
        if (k <= n && n <= 21) {
            out.append(digits);
            out.append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int exponent = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent));
        }
        return out.toString();
    }

    private static BigDecimal shortestRoundTrip(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int precision = 1; precision <= 17; precision++) {
            BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == d) {
                return candidate;
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }
}
