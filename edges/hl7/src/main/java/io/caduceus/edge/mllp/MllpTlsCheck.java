package io.caduceus.edge.mllp;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.CamelContext;

/**
 * Refuses to start MLLP over TLS without its key material, naming what to provide. Without this check Netty fails
 * with a NullPointerException about its passphrase, or, with camel.ssl on but no key store, listens and fails every
 * handshake; and client certificates required without a trust store would be checked against the JDK's cacerts,
 * accepting any publicly issued certificate. Reads the properties the shipped route is configured by (a route edited
 * to pass its own SSL parameters is not seen here).
 */
public final class MllpTlsCheck {

    static final String HOW = "camel.ssl.enabled=true, camel.ssl.key-store=file:/path/server.p12, "
            + "camel.ssl.keystore-password and camel.component.netty.use-global-ssl-context-parameters=true";

    private final Function<String, Optional<String>> properties;

    MllpTlsCheck(Function<String, Optional<String>> properties) {
        this.properties = properties;
    }

    /** Throws {@link IllegalArgumentException} when caduceus.mllp.tls.enabled lacks what the listener needs. */
    public static void verify(CamelContext context) {
        new MllpTlsCheck(key -> context.getPropertiesComponent().resolveProperty(key)).verify();
    }

    void verify() {
        if (!isTrue("caduceus.mllp.tls.enabled")) {
            return;
        }
        boolean clientAuth = isTrue("caduceus.mllp.tls.client-auth");
        if (isSet("camel.component.netty.ssl-context-parameters", "camel.component.netty.sslContextParameters")) {
            return; // a bean of the deployer's: what it holds cannot be checked here
        }
        if (isSet("camel.component.netty.key-store-resource", "camel.component.netty.keyStoreResource")) {
            List<String> missing = new ArrayList<>();
            if (!isSet("camel.component.netty.passphrase")) {
                missing.add("camel.component.netty.passphrase");
            }
            if (clientAuth && !isSet("camel.component.netty.trust-store-resource", "camel.component.netty.trustStoreResource")) {
                missing.add("camel.component.netty.trust-store-resource (the CAs whose sender certificates are accepted)");
            }
            refuseIfMissing(missing);
            return;
        }
        List<String> missing = new ArrayList<>();
        if (!isTrue("camel.ssl.enabled")) {
            missing.add("camel.ssl.enabled=true");
        }
        if (!isSet("camel.ssl.key-store", "camel.ssl.keyStore")) {
            missing.add("camel.ssl.key-store (PKCS12 with the server's key and certificate chain, as file:/path)");
        }
        if (!isSet("camel.ssl.keystore-password", "camel.ssl.keystorePassword")) {
            missing.add("camel.ssl.keystore-password");
        }
        if (!isTrue("camel.component.netty.use-global-ssl-context-parameters", "camel.component.netty.useGlobalSslContextParameters")) {
            missing.add("camel.component.netty.use-global-ssl-context-parameters=true");
        }
        if (clientAuth && !isSet("camel.ssl.trust-store", "camel.ssl.trustStore")) {
            missing.add("camel.ssl.trust-store (caduceus.mllp.tls.client-auth: the CAs whose sender certificates are "
                    + "accepted; without it any CA of the JDK would be)");
        }
        refuseIfMissing(missing);
    }

    private static void refuseIfMissing(List<String> missing) {
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("caduceus.mllp.tls.enabled=true, but the MLLP listener has no usable TLS "
                    + "configuration; missing: " + String.join("; ", missing) + ". Expected: " + HOW
                    + " (application.properties, \"HL7 v2 over MLLP\"). Where TLS ends before Caduceus, turn it off "
                    + "explicitly: caduceus.mllp.tls.enabled=false");
        }
    }

    private boolean isSet(String... keys) {
        return value(keys).isPresent();
    }

    private boolean isTrue(String... keys) {
        return value(keys).map(Boolean::parseBoolean).orElse(false);
    }

    /** The first of these spellings that has a non-blank value (Camel accepts kebab and camel case alike). */
    private Optional<String> value(String... keys) {
        for (String key : keys) {
            Optional<String> value = properties.apply(key).map(String::strip).filter(v -> !v.isEmpty());
            if (value.isPresent()) {
                return value;
            }
        }
        return Optional.empty();
    }
}
