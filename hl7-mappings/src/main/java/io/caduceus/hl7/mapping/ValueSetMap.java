package io.caduceus.hl7.mapping;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** A code translation table (HL7 v2 table to FHIR code or Coding), loaded from {@code valuesets/NAME.yml}. */
final class ValueSetMap {
    record Target(String system, String code, String display) {
    }

    private final Map<String, Target> targets;
    private final Target fallback;

    private ValueSetMap(Map<String, Target> targets, Target fallback) {
        this.targets = targets;
        this.fallback = fallback;
    }

    @SuppressWarnings("unchecked")
    static ValueSetMap compile(Map<String, Object> yaml, String where) {
        String system = Yamls.string(yaml, "system");
        Object rawMap = yaml.get("map");
        if (!(rawMap instanceof Map)) {
            throw new IllegalStateException(where + ": 'map' missing");
        }
        Map<String, Target> targets = new HashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) rawMap).entrySet()) {
            targets.put(String.valueOf(e.getKey()), target(e.getValue(), system, where));
        }
        Object def = yaml.get("default");
        return new ValueSetMap(targets, def == null ? null : target(def, system, where));
    }

    @SuppressWarnings("unchecked")
    private static Target target(Object value, String system, String where) {
        if (value instanceof Map) {
            Map<String, Object> m = (Map<String, Object>) value;
            String s = Yamls.string(m, "system");
            return new Target(s != null ? s : system, Yamls.required(m, "code", where), Yamls.string(m, "display"));
        }
        return new Target(system, String.valueOf(value), null);
    }

    /** The translation, the default when the code is unknown, or null when there is neither. */
    Target lookup(String code) {
        Target t = targets.get(code);
        if (t == null) {
            t = targets.get(code.trim().toUpperCase(Locale.ROOT));
        }
        return t != null ? t : fallback;
    }
}
