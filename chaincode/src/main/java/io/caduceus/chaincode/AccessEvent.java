package io.caduceus.chaincode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One read that disclosed records, as the middleware logs it for a FHIR client: ids, codes and hashes only. Field names
 * match the middleware's access events on Kafka ({@code caduceus.access-events}), so they are forwarded unchanged.
 *
 * @param records the disclosed records, each {@code {"recordId", "integrity"}}
 */
record AccessEvent(String accessId, String accessedAt, String interaction, String purpose, String callerIdHash,
        String basis, List<Map<String, Object>> records, List<String> patientPseudonyms) {

    private static final Set<String> FIELDS = Set.of("accessId", "accessedAt", "interaction", "purpose",
            "callerIdHash", "basis", "records", "patientPseudonyms");
    private static final Set<String> RECORD_FIELDS = Set.of("recordId", "integrity");
    static final Pattern ACCESS_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Interaction, basis and integrity codes: lower-case words such as {@code read}, {@code scope}, {@code verified}. */
    static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_.$-]{0,63}");
    /** A read discloses a page at most; the bound keeps one event's share of a transaction small. */
    static final int MAX_RECORDS = 1000;

    static AccessEvent fromMap(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw RegistryError.INVALID_ARGUMENT.exception("every access event must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        String what = "access event";
        Fields.rejectUnknown(map, FIELDS, what);
        String accessId = Fields.matching(Fields.requireString(map, "accessId", what), ACCESS_ID, "accessId");
        String where = what + " " + accessId;
        List<Map<String, Object>> records = new ArrayList<>();
        for (Object item : list(map, "records", where)) {
            if (!(item instanceof Map<?, ?>)) {
                throw RegistryError.INVALID_ARGUMENT.exception(where + ": every record must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) item;
            Fields.rejectUnknown(r, RECORD_FIELDS, where + " record");
            Map<String, Object> clean = new TreeMap<>();
            clean.put("recordId", Fields.matching(Fields.requireString(r, "recordId", where), Fields.RECORD_ID,
                    where + " recordId"));
            clean.put("integrity", Fields.matching(Fields.requireString(r, "integrity", where), CODE,
                    where + " integrity"));
            records.add(clean);
        }
        if (records.size() > MAX_RECORDS) {
            throw RegistryError.INVALID_ARGUMENT.exception(where + " names more than " + MAX_RECORDS + " records");
        }
        List<String> pseudonyms = new ArrayList<>();
        for (Object item : list(map, "patientPseudonyms", where)) {
            if (!(item instanceof String s)) {
                throw RegistryError.INVALID_ARGUMENT.exception(where + ": patientPseudonyms must be strings");
            }
            pseudonyms.add(Fields.matching(s, Fields.PSEUDONYM, where + " patientPseudonyms"));
        }
        return new AccessEvent(accessId,
                Fields.instant(Fields.requireString(map, "accessedAt", where), where + " accessedAt").toString(),
                Fields.matching(Fields.requireString(map, "interaction", where), CODE, where + " interaction"),
                Fields.matching(Fields.requireString(map, "purpose", where), Fields.PURPOSE, where + " purpose"),
                Fields.matching(Fields.requireString(map, "callerIdHash", where), Fields.HEX_64,
                        where + " callerIdHash"),
                Fields.matching(Fields.requireString(map, "basis", where), CODE, where + " basis"),
                List.copyOf(records), List.copyOf(pseudonyms));
    }

    private static List<?> list(Map<String, Object> map, String field, String where) {
        Object value = map.get(field);
        if (!(value instanceof List<?> items)) {
            throw RegistryError.INVALID_ARGUMENT.exception(where + " field " + field + " must be an array");
        }
        return items;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new TreeMap<>();
        map.put("accessId", accessId);
        map.put("accessedAt", accessedAt);
        map.put("interaction", interaction);
        map.put("purpose", purpose);
        map.put("callerIdHash", callerIdHash);
        map.put("basis", basis);
        map.put("records", records);
        map.put("patientPseudonyms", patientPseudonyms);
        return map;
    }
}
