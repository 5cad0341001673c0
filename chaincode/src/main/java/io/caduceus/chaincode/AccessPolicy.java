package io.caduceus.chaincode;

import java.util.Map;
import java.util.Objects;

/**
 * Which organisation and role may do what. The MSP ids come from the chaincode service's environment so that a
 * deployment can rename its orgs without a rebuild; every peer running this chaincode service must be given the same
 * values, or endorsements will disagree.
 */
record AccessPolicy(String hospitalMsp, String auditorMsp, String bridgeMsp) {

    static final String ROLE_ATTRIBUTE = "caduceus.role";
    static final String ROLE_WRITER = "writer";
    static final String ROLE_BRIDGE = "bridge";
    static final String ROLE_CONSENT_ADMIN = "consent-admin";

    static final String ENV_HOSPITAL_MSP = "CADUCEUS_HOSPITAL_MSP_ID";
    static final String ENV_AUDITOR_MSP = "CADUCEUS_AUDITOR_MSP_ID";
    static final String ENV_BRIDGE_MSP = "CADUCEUS_BRIDGE_MSP_ID";

    AccessPolicy {
        Fields.matching(hospitalMsp, Fields.MSP_ID, ENV_HOSPITAL_MSP);
        Fields.matching(auditorMsp, Fields.MSP_ID, ENV_AUDITOR_MSP);
        Fields.matching(bridgeMsp, Fields.MSP_ID, ENV_BRIDGE_MSP);
    }

    static AccessPolicy defaults() {
        return fromEnvironment(Map.of());
    }

    /** The bridge runs under the hospital org unless told otherwise. */
    static AccessPolicy fromEnvironment(Map<String, String> env) {
        String hospital = nonBlank(env.get(ENV_HOSPITAL_MSP), "HospitalMSP");
        return new AccessPolicy(hospital, nonBlank(env.get(ENV_AUDITOR_MSP), "AuditorMSP"),
                nonBlank(env.get(ENV_BRIDGE_MSP), hospital));
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    boolean canWriteEntries(Caller caller) {
        return caller.mspId().equals(hospitalMsp) && ROLE_WRITER.equals(caller.role());
    }

    boolean canStoreAnchorReceipts(Caller caller) {
        return caller.mspId().equals(bridgeMsp) && ROLE_BRIDGE.equals(caller.role());
    }

    boolean canManageConsent(Caller caller) {
        return caller.mspId().equals(hospitalMsp)
                && (ROLE_WRITER.equals(caller.role()) || ROLE_CONSENT_ADMIN.equals(caller.role()));
    }

    /** Reading needs only org membership: the ledger holds no PHI, and auditors must see everything. */
    boolean canRead(Caller caller) {
        return caller.mspId().equals(hospitalMsp) || caller.mspId().equals(auditorMsp);
    }

    /** Who is calling, reduced to what authorization and the access log need. */
    record Caller(String mspId, String role, String idHash) {
        Caller {
            Objects.requireNonNull(mspId, "mspId");
            Objects.requireNonNull(idHash, "idHash");
        }
    }
}
