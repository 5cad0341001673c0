package io.caduceus.chaincode;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * One patient's consent for one grantee. Revocation keeps the record (with {@code revokedAt}) instead of deleting it,
 * so that {@code CheckAccess} can tell "revoked" from "never granted" and answer for instants before the revocation.
 * The pseudonym is part of the state key only, never of the value or of anything returned.
 */
record AccessGrant(String grantee, String grantedBy, String grantedAt, String expiresAt, String revokedBy,
        String revokedAt) {

    static final String GRANTED = "GRANTED";
    static final String NO_GRANT = "NO_GRANT";
    static final String NOT_YET_GRANTED = "NOT_YET_GRANTED";
    static final String REVOKED = "REVOKED";
    static final String EXPIRED = "EXPIRED";

    static AccessGrant fromJson(String json) {
        Map<String, Object> map = CanonicalJson.parseObject(json, "stored grant");
        return new AccessGrant((String) map.get("grantee"), (String) map.get("grantedBy"),
                (String) map.get("grantedAt"), (String) map.get("expiresAt"), (String) map.get("revokedBy"),
                (String) map.get("revokedAt"));
    }

    boolean isRevoked() {
        return revokedAt != null;
    }

    AccessGrant revoke(String byMsp, Instant at) {
        return new AccessGrant(grantee, grantedBy, grantedAt, expiresAt, byMsp, at.toString());
    }

    /** Why the grantee may or may not access at {@code at}; the half-open window is [grantedAt, min(expiry, revocation)). */
    String reasonAt(Instant at) {
        if (at.isBefore(Instant.parse(grantedAt))) {
            return NOT_YET_GRANTED;
        }
        if (revokedAt != null && !at.isBefore(Instant.parse(revokedAt))) {
            return REVOKED;
        }
        if (expiresAt != null && !at.isBefore(Instant.parse(expiresAt))) {
            return EXPIRED;
        }
        return GRANTED;
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new TreeMap<>();
        map.put("grantee", grantee);
        map.put("grantedBy", grantedBy);
        map.put("grantedAt", grantedAt);
        putIfSet(map, "expiresAt", expiresAt);
        putIfSet(map, "revokedBy", revokedBy);
        putIfSet(map, "revokedAt", revokedAt);
        return map;
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    String toJson() {
        return CanonicalJson.write(toMap());
    }
}
