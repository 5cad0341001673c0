package io.caduceus.hl7.mapping;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class Yamls {
    private Yamls() {
    }

    static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : String.valueOf(v);
    }

    static String required(Map<String, Object> m, String key, String where) {
        String v = string(m, key);
        if (v == null) {
            throw new IllegalStateException(where + ": '" + key + "' missing");
        }
        return v;
    }

    /** A scalar or a list of scalars, as a list. */
    static List<String> strings(Map<String, Object> m, String key) {
        Object v = m.get(key);
        List<String> out = new ArrayList<>();
        if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
        } else if (v != null) {
            out.add(String.valueOf(v));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List)) {
            throw new IllegalStateException(where + ": '" + key + "' must be a list");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<Object>) v) {
            if (!(o instanceof Map)) {
                throw new IllegalStateException(where + ": entries of '" + key + "' must be maps");
            }
            out.add((Map<String, Object>) o);
        }
        return out;
    }
}
