package io.caduceus.edge.fhir;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMART on FHIR scope checks for the interactions Caduceus serves.
 *
 * <p>Granting scopes, for resource type {@code T}: contexts {@code system/} and {@code user/} (a {@code patient/}
 * scope is never enough: Caduceus has no launch context to confine access to one patient's compartment); resource
 * {@code T} or {@code *}; permissions SMART v1 {@code write} (create, update) or {@code read}, or {@code *}; or SMART
 * v2 letters in {@code cruds} order containing {@code c} for create, {@code r} for read and {@code u} for update. A v2
 * scope with a query ({@code ?category=...}) grants nothing, since such restrictions cannot be enforced here.
 */
final class SmartScopes {

    enum Interaction {
        CREATE('c', "write"), READ('r', "read"), UPDATE('u', "write");

        private final char v2Letter;
        private final String v1Permission;

        Interaction(char v2Letter, String v1Permission) {
            this.v2Letter = v2Letter;
            this.v1Permission = v1Permission;
        }
    }

    private static final Pattern SCOPE = Pattern.compile("(system|user|patient)/([A-Za-z]+|\\*)\\.([a-z*]+)");
    private static final Pattern V2_PERMISSIONS = Pattern.compile("c?r?u?d?s?");

    private SmartScopes() {
    }

    static boolean allows(Set<String> scopes, String resourceType, Interaction interaction) {
        for (String scope : scopes) {
            Matcher m = SCOPE.matcher(scope);
            if (!m.matches() || m.group(1).equals("patient")) {
                continue;
            }
            if (!m.group(2).equals("*") && !m.group(2).equals(resourceType)) {
                continue;
            }
            String permissions = m.group(3);
            if (permissions.equals(interaction.v1Permission) || permissions.equals("*")) {
                return true;
            }
            if (V2_PERMISSIONS.matcher(permissions).matches() && permissions.indexOf(interaction.v2Letter) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The narrowest scope that would have allowed the interaction, for the 403 challenge. */
    static String required(String resourceType, Interaction interaction) {
        return "system/" + resourceType + "." + interaction.v2Letter;
    }

    /** The scopes named in the CapabilityStatement's security section. */
    static String described() {
        return "writes: system|user/<Type or *>.write; reads: system|user/<Type or *>.read (SMART v1; .* grants both); "
                + "and the SMART v2 forms system|user/<Type or *>.<cruds subset> containing c (create), r (read) or "
                + "u (update). patient/ scopes and v2 scopes with query restrictions grant nothing.";
    }
}
