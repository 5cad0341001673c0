package io.caduceus.chaincode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Field validation shared by every transaction. Formats are closed character sets on purpose: whatever is accepted is
 * written to a ledger that cannot forget, so free text (where PHI could slip in) is never accepted. Error messages name
 * the field, never its value.
 */
final class Fields {

    /**
     * Opaque ids: core's keyed {@code r2_<32 hex>} fits, so does format 1 {@code r_<32 hex>} of records stored before,
     * and other deployments' schemes; no spaces or separators.
     */
    static final Pattern RECORD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");
    static final Pattern MESSAGE_TYPE = Pattern.compile("[A-Za-z0-9_^.:/-]{1,64}");
    /** Keyed pseudonyms are opaque to the chaincode; core's {@code pp1_<64 hex>} fits. */
    static final Pattern PSEUDONYM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    static final Pattern MSP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    /** Purpose-of-use codes (TREATMENT, AUDIT, ...): a code, never a sentence. */
    static final Pattern PURPOSE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");
    /** Fabric transaction ids are 64 hex digits; test ledgers use shorter ones. */
    static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9]{1,128}");
    static final Pattern TX_HASH = Pattern.compile("0x[0-9a-f]{64}");
    static final Pattern CHANNEL = Pattern.compile("[a-z][a-z0-9.-]{0,248}");
    static final int MAX_SOURCE_PART = 180;
    static final int MAX_INSTANT_LENGTH = 40;
    static final String ROLE_PREFIX = "role:";

    private Fields() {
    }

    static void rejectUnknown(Map<String, Object> map, Set<String> allowed, String what) {
        for (String key : map.keySet()) {
            if (!allowed.contains(key)) {
                // The key itself is sender-controlled text, so it is not echoed.
                throw RegistryError.INVALID_ARGUMENT.exception(what + " has an unknown field");
            }
        }
    }

    static String requireString(Map<String, Object> map, String field, String what) {
        Object value = map.get(field);
        if (value == null) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " is missing " + field);
        }
        if (!(value instanceof String s)) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " field " + field + " must be a string");
        }
        return s;
    }

    static String optionalString(Map<String, Object> map, String field, String what) {
        return map.get(field) == null ? null : requireString(map, field, what);
    }

    static long requireLong(Map<String, Object> map, String field, long min, String what) {
        Object value = map.get(field);
        if (value == null) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " is missing " + field);
        }
        if (!(value instanceof Long l)) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " field " + field + " must be an integer");
        }
        if (l < min) {
            throw RegistryError.INVALID_ARGUMENT.exception(what + " field " + field + " must be at least " + min);
        }
        return l;
    }

    static String matching(String value, Pattern pattern, String field) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw RegistryError.INVALID_ARGUMENT.exception(field + " is missing or malformed");
        }
        return value;
    }

    /** Parsed and re-rendered, so that two spellings of one instant compare (and serialize) equal. */
    static Instant instant(String value, String field) {
        if (value == null || value.isEmpty() || value.length() > MAX_INSTANT_LENGTH) {
            throw RegistryError.INVALID_ARGUMENT.exception(field + " is missing or malformed");
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw RegistryError.INVALID_ARGUMENT.exception(field + " is not an ISO-8601 instant");
        }
    }

    /** {@code APPLICATION^FACILITY}, as core's SourceSystem writes it; either part may be empty, not both. */
    static String source(String value) {
        int caret = value == null ? -1 : value.indexOf('^');
        if (caret < 0 || value.indexOf('^', caret + 1) >= 0 || value.length() == 1) {
            throw RegistryError.INVALID_ARGUMENT.exception("source must be APPLICATION^FACILITY");
        }
        if (caret > MAX_SOURCE_PART || value.length() - caret - 1 > MAX_SOURCE_PART) {
            throw RegistryError.INVALID_ARGUMENT.exception("source parts must be at most " + MAX_SOURCE_PART
                    + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw RegistryError.INVALID_ARGUMENT.exception("source contains a control character");
            }
        }
        return value;
    }

    /** An MSP id, or {@code role:<role>} to grant everyone holding that role attribute. */
    static String grantee(String value) {
        if (value != null && value.startsWith(ROLE_PREFIX)) {
            matching(value.substring(ROLE_PREFIX.length()), ROLE, "grantee role");
            return value;
        }
        return matching(value, MSP_ID, "grantee");
    }
}
