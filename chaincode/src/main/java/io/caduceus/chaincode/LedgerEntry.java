package io.caduceus.chaincode;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the ledger holds about one record: ids and a commitment, nothing readable. Field names and formats match
 * {@code io.caduceus.core.domain.LedgerEntry#toJson} so the Fabric adapter can send core's JSON unchanged.
 *
 * @param patientPseudonym null for messages about no patient (a master-file update, say)
 */
record LedgerEntry(String recordId, String commitment, String messageType, String source, String receivedAt,
        String patientPseudonym) {

    private static final Set<String> FIELDS = Set.of("recordId", "commitment", "messageType", "source", "receivedAt",
            "patientPseudonym");

    static LedgerEntry fromMap(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw RegistryError.INVALID_ARGUMENT.exception("every ledger entry must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value;
        String what = "ledger entry";
        Fields.rejectUnknown(map, FIELDS, what);
        String recordId = Fields.matching(Fields.requireString(map, "recordId", what), Fields.RECORD_ID, "recordId");
        // From here on the record id is known to be safe to name, which makes batch errors actionable.
        String where = what + " " + recordId;
        String pseudonym = Fields.optionalString(map, "patientPseudonym", where);
        return new LedgerEntry(
                recordId,
                Fields.matching(Fields.requireString(map, "commitment", where), Fields.HEX_64, where + " commitment"),
                Fields.matching(Fields.requireString(map, "messageType", where), Fields.MESSAGE_TYPE,
                        where + " messageType"),
                sourceOf(Fields.requireString(map, "source", where), where),
                Fields.instant(Fields.requireString(map, "receivedAt", where), where + " receivedAt").toString(),
                pseudonym == null ? null : Fields.matching(pseudonym, Fields.PSEUDONYM, where + " patientPseudonym"));
    }

    private static String sourceOf(String source, String where) {
        try {
            return Fields.source(source);
        } catch (org.hyperledger.fabric.shim.ChaincodeException e) {
            throw RegistryError.INVALID_ARGUMENT.exception(where + ": " + e.getMessage());
        }
    }

    static LedgerEntry fromJson(String json) {
        return fromMap(CanonicalJson.parseObject(json, "stored ledger entry"));
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new TreeMap<>();
        map.put("recordId", recordId);
        map.put("commitment", commitment);
        map.put("messageType", messageType);
        map.put("source", source);
        map.put("receivedAt", receivedAt);
        if (patientPseudonym != null) {
            map.put("patientPseudonym", patientPseudonym);
        }
        return map;
    }

    String toJson() {
        return CanonicalJson.write(toMap());
    }
}
