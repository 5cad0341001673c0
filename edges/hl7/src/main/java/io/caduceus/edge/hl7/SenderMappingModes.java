package io.caduceus.edge.hl7;

import io.caduceus.hl7.mapping.MappingMode;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;

/**
 * Which senders get lenient mapping (a value that cannot be mapped into an optional element is left out, the message
 * stored, and the ACK says AA with ERR severity W) and which strict (the message is refused with AE and quarantined):
 * {@code caduceus.hl7.mapping-mode} for every sender, {@code caduceus.hl7.strict-senders} and
 * {@code caduceus.hl7.lenient-senders} for the exceptions, as {@code APP^FACILITY} entries separated by commas,
 * matched on the namespace ids of MSH-3 and MSH-4. {@code APP^*} covers every facility of an application; an exact
 * facility wins over it.
 */
final class SenderMappingModes {

    static final String DEFAULT_PROPERTY = "caduceus.hl7.mapping-mode";
    static final String STRICT_PROPERTY = "caduceus.hl7.strict-senders";
    static final String LENIENT_PROPERTY = "caduceus.hl7.lenient-senders";
    private static final String ANY_FACILITY = "*";

    private final MappingMode byDefault;
    private final Map<String, MappingMode> bySender;

    private SenderMappingModes(MappingMode byDefault, Map<String, MappingMode> bySender) {
        this.byDefault = byDefault;
        this.bySender = bySender;
    }

    /** Lenient for every sender: the shipped default. */
    static SenderMappingModes lenient() {
        return new SenderMappingModes(MappingMode.LENIENT, Map.of());
    }

    static SenderMappingModes from(CamelContext context) {
        return parse(property(context, DEFAULT_PROPERTY, "lenient"), property(context, STRICT_PROPERTY, ""),
                property(context, LENIENT_PROPERTY, ""));
    }

    /** A malformed option stops the start: a sender silently in the wrong mode would lose or refuse data. */
    static SenderMappingModes parse(String defaultMode, String strictSenders, String lenientSenders) {
        MappingMode byDefault;
        try {
            byDefault = MappingMode.valueOf(defaultMode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(DEFAULT_PROPERTY + ": '" + defaultMode + "': expected lenient or strict");
        }
        Map<String, MappingMode> bySender = new HashMap<>();
        add(bySender, strictSenders, MappingMode.STRICT, STRICT_PROPERTY);
        add(bySender, lenientSenders, MappingMode.LENIENT, LENIENT_PROPERTY);
        return new SenderMappingModes(byDefault, Map.copyOf(bySender));
    }

    private static void add(Map<String, MappingMode> bySender, String option, MappingMode mode, String property) {
        for (String entry : option.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int caret = entry.indexOf('^');
            String application = caret < 0 ? "" : entry.substring(0, caret).strip();
            String facility = caret < 0 ? "" : entry.substring(caret + 1).strip();
            if (application.isEmpty() || facility.isEmpty() || facility.indexOf('^') >= 0) {
                throw new IllegalArgumentException(property + ": '" + entry.strip() + "': expected APP^FACILITY");
            }
            if (bySender.put(application + "^" + facility, mode) != null) {
                throw new IllegalArgumentException(property + ": '" + entry.strip()
                        + "': this sender is listed twice (strict and lenient?)");
            }
        }
    }

    /** The mode for the sender identified by the namespace ids of MSH-3 and MSH-4. */
    MappingMode forSender(String application, String facility) {
        MappingMode exact = bySender.get(application + "^" + facility);
        if (exact != null) {
            return exact;
        }
        return bySender.getOrDefault(application + "^" + ANY_FACILITY, byDefault);
    }

    private static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::strip).orElse(defaultValue);
    }
}
