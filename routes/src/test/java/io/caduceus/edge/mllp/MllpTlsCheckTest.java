package io.caduceus.edge.mllp;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.routes.AppWithoutKafka;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MllpTlsCheckTest {

    /** What MllpTlsTest starts the listener with. */
    private static final Map<String, String> WORKING = Map.of(
            "caduceus.mllp.tls.enabled", "true",
            "caduceus.mllp.tls.client-auth", "true",
            "camel.ssl.enabled", "true",
            "camel.ssl.key-store", "file:/etc/caduceus/tls/server.p12",
            "camel.ssl.keystore-password", "secret-password",
            "camel.ssl.trust-store", "file:/etc/caduceus/tls/senders.p12",
            "camel.ssl.trust-store-password", "secret-password",
            "camel.component.netty.use-global-ssl-context-parameters", "true");

    @TempDir
    Path tmp;

    private static MllpTlsCheck check(Map<String, String> properties) {
        return new MllpTlsCheck(key -> Optional.ofNullable(properties.get(key)));
    }

    private static Map<String, String> without(String... keys) {
        Map<String, String> properties = new HashMap<>(WORKING);
        for (String key : keys) {
            properties.remove(key);
        }
        return properties;
    }

    @Test
    void tlsOffNeedsNothing() {
        assertThatCode(() -> check(Map.of("caduceus.mllp.tls.enabled", "false")).verify()).doesNotThrowAnyException();
        assertThatCode(() -> check(Map.of()).verify()).doesNotThrowAnyException();
    }

    @Test
    void theDocumentedSetPasses() {
        assertThatCode(() -> check(WORKING).verify()).doesNotThrowAnyException();
        // Without client certificates no trust store is needed.
        Map<String, String> serverOnly = without("camel.ssl.trust-store", "camel.ssl.trust-store-password");
        serverOnly.put("caduceus.mllp.tls.client-auth", "false");
        assertThatCode(() -> check(serverOnly).verify()).doesNotThrowAnyException();
    }

    @Test
    void tlsOnWithoutKeyMaterialNamesEverythingToProvide() {
        assertThatThrownBy(() -> check(Map.of("caduceus.mllp.tls.enabled", "true")).verify())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("camel.ssl.enabled=true")
                .hasMessageContaining("camel.ssl.key-store")
                .hasMessageContaining("camel.ssl.keystore-password")
                .hasMessageContaining("camel.component.netty.use-global-ssl-context-parameters=true")
                .hasMessageContaining("caduceus.mllp.tls.enabled=false");
    }

    @Test
    void eachMissingPieceIsNamedAlone() {
        for (String key : new String[] {"camel.ssl.enabled", "camel.ssl.key-store", "camel.ssl.keystore-password",
                "camel.component.netty.use-global-ssl-context-parameters", "camel.ssl.trust-store"}) {
            assertThatThrownBy(() -> check(without(key)).verify()).as("without %s", key)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing: " + key);
        }
    }

    @Test
    void aBlankValueCountsAsMissingAndNoValueIsQuoted() {
        Map<String, String> blank = without();
        blank.put("camel.ssl.key-store", "  ");
        assertThatThrownBy(() -> check(blank).verify()).hasMessageContaining("missing: camel.ssl.key-store")
                .hasMessageNotContaining("secret-password");
    }

    @Test
    void camelCaseSpellingsAreAccepted() {
        Map<String, String> camelCase = without("camel.ssl.key-store", "camel.ssl.keystore-password");
        camelCase.put("camel.ssl.keyStore", "file:/etc/caduceus/tls/server.p12");
        camelCase.put("camel.ssl.keystorePassword", "secret-password");
        assertThatCode(() -> check(camelCase).verify()).doesNotThrowAnyException();
    }

    @Test
    void nettysOwnKeyStoreNeedsItsPassphraseAndForClientCertificatesItsTrustStore() {
        Map<String, String> netty = new HashMap<>(Map.of("caduceus.mllp.tls.enabled", "true",
                "caduceus.mllp.tls.client-auth", "true",
                "camel.component.netty.key-store-resource", "file:/etc/caduceus/tls/server.jks"));
        assertThatThrownBy(() -> check(netty).verify()).hasMessageContaining("camel.component.netty.passphrase")
                .hasMessageContaining("camel.component.netty.trust-store-resource");
        netty.put("camel.component.netty.passphrase", "secret-password");
        netty.put("camel.component.netty.trust-store-resource", "file:/etc/caduceus/tls/senders.jks");
        assertThatCode(() -> check(netty).verify()).doesNotThrowAnyException();
    }

    @Test
    void theApplicationRefusesToStartWithTheMessage() {
        assertThatThrownBy(() -> {
            Main main = AppWithoutKafka.start(tmp, "camel.server.port=" + AppWithoutKafka.freePort(),
                    "caduceus.mllp.port=" + AppWithoutKafka.freePort(), "caduceus.mllp.tls.enabled=true");
            main.stop();
        }).hasStackTraceContaining("caduceus.mllp.tls.enabled=true, but the MLLP listener has no usable TLS configuration")
                .hasStackTraceContaining("camel.ssl.key-store");
    }
}
