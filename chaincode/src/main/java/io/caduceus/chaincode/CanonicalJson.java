package io.caduceus.chaincode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * JSON in and out of the chaincode. Every endorsing peer must produce byte-identical state values, event payloads and
 * responses, or the endorsements will not match: so output has sorted keys, no insignificant whitespace and only
 * strings, integers, booleans, lists and objects (no floating point, no null). Parsing goes through org.json, which
 * the shim already ships, and is converted at once into plain maps and lists so nothing downstream depends on it.
 */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof String s) {
            writeString(s, out);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put((String) k, v));
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                writeString(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("not a canonical JSON value: "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Parses a JSON object; anything else is the caller's fault. */
    static Map<String, Object> parseObject(String json, String what) {
        Object value = parse(json, what);
        if (!(value instanceof Map<?, ?>)) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    /** Parses a JSON array; anything else is the caller's fault. */
    static List<Object> parseArray(String json, String what) {
        Object value = parse(json, what);
        if (!(value instanceof List<?>)) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " must be a JSON array");
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) value;
        return list;
    }

    private static Object parse(String json, String what) {
        if (json == null || json.isBlank()) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " is empty");
        }
        try {
            JSONTokener tokener = new JSONTokener(json);
            Object value = tokener.nextValue();
            // org.json stops after the first value; trailing content means the input was not one JSON document.
            if (tokener.nextClean() != 0) {
                throw RegistryError.INVALID_ARGUMENT.exception(what + " has content after the JSON value");
            }
            return convert(value);
        } catch (JSONException e) {
            // org.json's message quotes the offending input, which may be anything the sender put there.
            throw RegistryError.INVALID_ARGUMENT.exception(what + " is not valid JSON");
        }
    }

    private static Object convert(Object value) {
        if (value instanceof JSONObject object) {
            Map<String, Object> map = new TreeMap<>();
            Iterator<String> keys = object.keys();
            while (keys.hasNext()) {
                String key = keys.next();
                map.put(key, convert(object.get(key)));
            }
            return map;
        }
        if (value instanceof JSONArray array) {
            List<Object> list = new ArrayList<>(array.length());
            for (int i = 0; i < array.length(); i++) {
                list.add(convert(array.get(i)));
            }
            return list;
        }
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof BigInteger || value instanceof BigDecimal || value instanceof Double
                || value instanceof Float) {
            // Kept as-is so field validation can reject it: a non-long number is never a valid field here.
            return value;
        }
        if (value == JSONObject.NULL) {
            return null;
        }
        return value;
    }
}
