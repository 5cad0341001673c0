package io.caduceus.core.json;

import java.util.Map;

/** Typed field access on parsed JSON objects, with errors that name the field and never echo its value. */
public final class JsonFields {

    private static final double MAX_SAFE_INTEGER = 9007199254740991d;

    private JsonFields() {
    }

    public static String string(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof String s)) {
            throw new JsonException("field '" + key + "' is missing or not a string");
        }
        return s;
    }

    /** An integral number within JavaScript's safe range, the only integers every JSON reader holds exactly. */
    public static long integer(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof Number n)) {
            throw new JsonException("field '" + key + "' is missing or not a number");
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || Math.abs(d) > MAX_SAFE_INTEGER) {
            throw new JsonException("field '" + key + "' is not an integer within 2^53");
        }
        return (long) d;
    }

    public static Map<?, ?> object(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof Map<?, ?> m)) {
            throw new JsonException("field '" + key + "' is missing or not an object");
        }
        return m;
    }
}
