package io.caduceus.edge.hl7;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each sending system listens for enhanced-mode application acknowledgements:
 * {@code APP^FACILITY=host:port} entries separated by commas, matched on the namespace ids of MSH-3 and MSH-4.
 * {@code APP^*} serves every facility of an application; an exact facility wins over it. Senders are configured, never
 * taken from the message, so a message cannot direct Caduceus to connect to an address of its choosing. An address
 * may start with {@code tls://} or {@code tcp://} to choose TLS or plain TCP for that sender, whatever the global
 * {@code caduceus.mllp.application-ack.tls.enabled} says.
 */
final class ApplicationAckDestinations {

    static final String PROPERTY = "caduceus.mllp.application-ack.destinations";
    private static final String ANY_FACILITY = "*";

    /** How to reach a listener: as the global TLS option says, or as its entry says. */
    enum Transport { DEFAULT, TCP, TLS }

    /** An MLLP listener of a sending system. */
    record Destination(String host, int port, Transport transport) {

        Destination(String host, int port) {
            this(host, port, Transport.DEFAULT);
        }

        /** Whether to connect with TLS, given the global option. */
        boolean tls(boolean tlsByDefault) {
            return transport == Transport.TLS || transport == Transport.DEFAULT && tlsByDefault;
        }

        @Override
        public String toString() {
            return (transport == Transport.DEFAULT ? "" : transport.name().toLowerCase(java.util.Locale.ROOT) + "://") + host + ":" + port;
        }
    }

    private final Map<String, Destination> bySender;

    private ApplicationAckDestinations(Map<String, Destination> bySender) {
        this.bySender = bySender;
    }

    static ApplicationAckDestinations none() {
        return new ApplicationAckDestinations(Map.of());
    }

    /** Parses the option; a malformed entry stops the start rather than silently losing acknowledgements. */
    static ApplicationAckDestinations parse(String option) {
        Map<String, Destination> bySender = new LinkedHashMap<>();
        if (option == null || option.isBlank()) {
            return new ApplicationAckDestinations(bySender);
        }
        for (String entry : option.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            int caret = entry.indexOf('^');
            if (equals < 0 || caret < 0 || caret > equals) {
                throw invalid(entry, "expected APP^FACILITY=host:port");
            }
            String application = entry.substring(0, caret).strip();
            String facility = entry.substring(caret + 1, equals).strip();
            String address = entry.substring(equals + 1).strip();
            Transport transport = Transport.DEFAULT;
            for (Transport t : new Transport[] {Transport.TCP, Transport.TLS}) {
                String scheme = t.name().toLowerCase(java.util.Locale.ROOT) + "://";
                if (address.regionMatches(true, 0, scheme, 0, scheme.length())) {
                    transport = t;
                    address = address.substring(scheme.length());
                }
            }
            int colon = address.lastIndexOf(':');
            if (application.isEmpty() || facility.isEmpty() || colon <= 0) {
                throw invalid(entry, "expected APP^FACILITY=host:port");
            }
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw invalid(entry, "the port is not a number");
            }
            if (port < 1 || port > 65535) {
                throw invalid(entry, "the port is out of range");
            }
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1); // IPv6 literal
            }
            if (bySender.put(key(application, facility), new Destination(host, port, transport)) != null) {
                throw invalid(entry, "this sender is listed twice");
            }
        }
        return new ApplicationAckDestinations(bySender);
    }

    /** The listener of the sender identified by the namespace ids of MSH-3 and MSH-4, if configured. */
    Optional<Destination> forSender(String application, String facility) {
        Destination exact = bySender.get(key(application, facility));
        return exact != null ? Optional.of(exact) : Optional.ofNullable(bySender.get(key(application, ANY_FACILITY)));
    }

    /** Whether some sender is to be reached over TLS, given the global option. */
    boolean anyTls(boolean tlsByDefault) {
        return bySender.values().stream().anyMatch(d -> d.tls(tlsByDefault));
    }

    boolean isEmpty() {
        return bySender.isEmpty();
    }

    private static String key(String application, String facility) {
        return application + "^" + facility;
    }

    private static IllegalArgumentException invalid(String entry, String problem) {
        return new IllegalArgumentException(PROPERTY + ": '" + entry.strip() + "': " + problem);
    }
}
