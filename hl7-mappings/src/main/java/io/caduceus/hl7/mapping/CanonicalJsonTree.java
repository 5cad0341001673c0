package io.caduceus.hl7.mapping;

import io.caduceus.core.json.CanonicalJson;
import java.util.Arrays;
import java.util.List;

/**
 * The output tree of {@link CanonicalFhirJson} and its RFC 8785 writer: objects that sort their members once, at
 * write time, numbers already in canonical form, strings, booleans, lists and null.
 */
final class CanonicalJsonTree {

    private CanonicalJsonTree() {
    }

    /** A JSON number already in its canonical (ECMAScript) form. */
    record JsonNumber(String text) {
    }

    /**
     * A JSON object under construction. Members are few, so a pair of arrays and an insertion sort at write time
     * beat a sorted map; keys compare by UTF-16 code units as RFC 8785 requires.
     */
    static final class JsonObject {
        private String[] keys = new String[8];
        private Object[] values = new Object[8];
        private int size;

        void put(String key, Object value) {
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size] = value;
            size++;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void writeTo(StringBuilder out) {
            for (int i = 1; i < size; i++) {
                String key = keys[i];
                Object value = values[i];
                int j = i - 1;
                while (j >= 0 && keys[j].compareTo(key) > 0) {
                    keys[j + 1] = keys[j];
                    values[j + 1] = values[j];
                    j--;
                }
                keys[j + 1] = key;
                values[j + 1] = value;
            }
            out.append('{');
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    if (keys[i].equals(keys[i - 1])) {
                        // HAPI would write the member twice, which the canonicalizer rejects.
                        throw new CanonicalFhirJson.Unsupported("duplicate member");
                    }
                    out.append(',');
                }
                CanonicalJson.appendString(keys[i], out);
                out.append(':');
                writeValue(values[i], out);
            }
            out.append('}');
        }
    }

    static void writeValue(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            CanonicalJson.appendString(s, out);
        } else if (value instanceof JsonObject o) {
            o.writeTo(out);
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeValue(list.get(i), out);
            }
            out.append(']');
        } else if (value instanceof JsonNumber n) {
            out.append(n.text());
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else {
            throw new IllegalStateException("unexpected JSON value " + value.getClass().getName());
        }
    }
}
