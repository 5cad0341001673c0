package io.caduceus.hl7.mapping;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A code translation table (HL7 v2 table to FHIR code or Coding), loaded from {@code valuesets/NAME.yml}. */
final class ValueSetMap {
    record Target(String system, String code, String display) {
    }

    private final Map<String, Target> targets;
    private final Target fallback;
    private final boolean reportsUnknownCodes;
    /**
     * The sender's names of the v2 tables the codes come from ({@code HL70063}), upper case; empty if none. More than
     * one when a table extends another with the same codes (0485 extended priority codes beside 0027 priority).
     */
    private final Set<String> tableNames;

    private ValueSetMap(Map<String, Target> targets, Target fallback, boolean reportsUnknownCodes, Set<String> tableNames) {
        this.targets = targets;
        this.fallback = fallback;
        this.reportsUnknownCodes = reportsUnknownCodes;
        this.tableNames = tableNames;
    }

    /**
     * Whether {@code text} (a CWE's name of coding system, beside a code this table translated) names this table:
     * {@code HL70063} for {@code table: "0063"}, any case. The translated Coding's system says the same (it is the FHIR
     * code system of that table, or of what the table maps to), so the name is carried, not lost.
     */
    boolean isTableName(String text) {
        return text != null && tableNames.contains(text.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * Whether a code this table does not know is the sender's error (HL7 103, reported in lenient mode and shown as
     * invalid by the coverage report). Only tables that map the whole of their v2 table say so ({@code reportUnknown:
     * true}); elsewhere an unknown code may be a valid v2 code FHIR has no counterpart for (0201 NET) or a local one,
     * and the coverage report shows it as unmapped.
     */
    boolean reportsUnknownCodes() {
        return reportsUnknownCodes;
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
        Object reportUnknown = yaml.get("reportUnknown");
        List<String> tables = Yamls.strings(yaml, "table");
        for (String table : tables) {
            if (!table.matches("\\d{4}")) {
                throw new IllegalStateException(where + ": 'table' is the four-digit HL7 table number, not '" + table + "'");
            }
        }
        return new ValueSetMap(targets, def == null ? null : target(def, system, where),
                reportUnknown != null && Boolean.parseBoolean(String.valueOf(reportUnknown)),
                tables.stream().map(t -> "HL7" + t).collect(Collectors.toUnmodifiableSet()));
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
