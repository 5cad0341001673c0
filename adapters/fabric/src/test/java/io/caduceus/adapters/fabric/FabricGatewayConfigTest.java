package io.caduceus.adapters.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.fabric.FabricGatewayConfig.Deadlines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FabricGatewayConfigTest {

    static Properties devnet() {
        Properties p = new Properties();
        p.setProperty("fabric.channel", "caduceus");
        p.setProperty("fabric.chaincode", "record-registry");
        for (String org : new String[] {"hospital", "auditor"}) {
            String cap = Character.toUpperCase(org.charAt(0)) + org.substring(1);
            p.setProperty("fabric." + org + ".msp.id", cap + "MSP");
            p.setProperty("fabric." + org + ".peer.endpoint", "localhost:" + ("hospital".equals(org) ? 7051 : 9051));
            p.setProperty("fabric." + org + ".peer.host.alias", "peer0." + org + ".caduceus.local");
            p.setProperty("fabric." + org + ".peer.tls.ca.cert", "crypto/" + org + "/tlsca.pem");
            p.setProperty("fabric." + org + ".user.cert", "crypto/" + org + "/user/cert.pem");
            p.setProperty("fabric." + org + ".user.key", "/abs/" + org + "/user/key.pem");
        }
        return p;
    }

    @Test
    void readsTheDevnetKeysForEitherOrg() {
        Path base = Path.of("/etc/caduceus");
        FabricGatewayConfig hospital = FabricGatewayConfig.fromProperties(devnet(), "hospital", base);
        assertThat(hospital.mspId()).isEqualTo("HospitalMSP");
        assertThat(hospital.peerEndpoint()).isEqualTo("localhost:7051");
        assertThat(hospital.tlsServerNameOverride()).contains("peer0.hospital.caduceus.local");
        assertThat(hospital.tlsCaCert()).isEqualTo(Path.of("/etc/caduceus/crypto/hospital/tlsca.pem"));
        assertThat(hospital.userCert()).isEqualTo(Path.of("/etc/caduceus/crypto/hospital/user/cert.pem"));
        assertThat(hospital.userKey()).isEqualTo(Path.of("/abs/hospital/user/key.pem"));
        assertThat(hospital.channel()).isEqualTo("caduceus");
        assertThat(hospital.chaincode()).isEqualTo("record-registry");
        assertThat(hospital.deadlines()).isEqualTo(Deadlines.DEFAULTS);

        FabricGatewayConfig auditor = FabricGatewayConfig.fromProperties(devnet(), "Auditor");
        assertThat(auditor.mspId()).isEqualTo("AuditorMSP");
        assertThat(auditor.peerEndpoint()).isEqualTo("localhost:9051");
    }

    @Test
    void theHostAliasIsOptional() {
        Properties p = devnet();
        p.remove("fabric.hospital.peer.host.alias");
        assertThat(FabricGatewayConfig.fromProperties(p, "hospital").tlsServerNameOverride()).isEmpty();
        p.setProperty("fabric.hospital.peer.host.alias", "  ");
        assertThat(FabricGatewayConfig.fromProperties(p, "hospital").tlsServerNameOverride()).isEmpty();
    }

    @Test
    void deadlinesCanBeOverridden() {
        Properties p = devnet();
        p.setProperty("fabric.deadline.evaluate.ms", "1500");
        p.setProperty("fabric.deadline.endorse.ms", "2500");
        p.setProperty("fabric.deadline.submit.ms", "3500");
        p.setProperty("fabric.deadline.commit.status.ms", "4500");
        assertThat(FabricGatewayConfig.fromProperties(p, "hospital").deadlines()).isEqualTo(new Deadlines(
                Duration.ofMillis(1500), Duration.ofMillis(2500), Duration.ofMillis(3500), Duration.ofMillis(4500)));
        p.setProperty("fabric.deadline.submit.ms", "soon");
        assertThatThrownBy(() -> FabricGatewayConfig.fromProperties(p, "hospital"))
                .hasMessageContaining("fabric.deadline.submit.ms");
        p.setProperty("fabric.deadline.submit.ms", "0");
        assertThatThrownBy(() -> FabricGatewayConfig.fromProperties(p, "hospital"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fabric.channel", "fabric.chaincode", "fabric.hospital.msp.id",
        "fabric.hospital.peer.endpoint", "fabric.hospital.peer.tls.ca.cert", "fabric.hospital.user.cert",
        "fabric.hospital.user.key"})
    void aMissingKeyIsNamed(String key) {
        Properties p = devnet();
        p.remove(key);
        assertThatThrownBy(() -> FabricGatewayConfig.fromProperties(p, "hospital"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:", ":7051", "host:port", "a b:1"})
    void theEndpointMustBeHostAndPort(String endpoint) {
        Properties p = devnet();
        p.setProperty("fabric.hospital.peer.endpoint", endpoint);
        assertThatThrownBy(() -> FabricGatewayConfig.fromProperties(p, "hospital"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "hospital.x", "../etc", "1org"})
    void theOrgMustBeAPlainName(String org) {
        assertThatThrownBy(() -> FabricGatewayConfig.fromProperties(devnet(), org))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHoldsPathsOnly() {
        FabricGatewayConfig config = new FabricGatewayConfig("HospitalMSP", "localhost:7051", Path.of("ca.pem"),
                Optional.empty(), Path.of("cert.pem"), Path.of("key.pem"), "c", "cc", Deadlines.DEFAULTS);
        assertThat(config.toString()).contains("key.pem").doesNotContain("PRIVATE KEY");
    }
}
