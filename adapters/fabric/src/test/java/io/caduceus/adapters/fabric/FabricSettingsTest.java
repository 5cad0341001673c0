package io.caduceus.adapters.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class FabricSettingsTest {

    /** The application's configuration as Camel's properties component resolves it, without Camel. */
    private static Function<String, Optional<String>> properties(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return key -> Optional.ofNullable(props.get(key));
    }

    private static String[] devnet(String... more) {
        List<String> kv = new ArrayList<>(List.of("fabric.channel", "caduceus",
                "fabric.chaincode", "recordregistry", "fabric.peers", "hospital,auditor"));
        for (String org : new String[] {"hospital", "bridge", "auditor"}) {
            kv.addAll(List.of(
                    "fabric." + org + ".msp.id", org.equals("auditor") ? "AuditorMSP" : "HospitalMSP",
                    "fabric." + org + ".peer.endpoint", org.equals("auditor") ? "127.0.0.1:9051" : "127.0.0.1:7051",
                    "fabric." + org + ".peer.tls.ca.cert", "/d/" + org + "/tlsca.pem",
                    "fabric." + org + ".user.cert", "/d/" + org + "/cert.pem",
                    "fabric." + org + ".user.key", "/d/" + org + "/key.pem"));
        }
        kv.addAll(List.of(more));
        return kv.toArray(String[]::new);
    }

    @Test
    void withoutAChannelOrSwitchedOffTheMiddlewareKeepsTheKafkaFedBridge() {
        assertThat(FabricSettings.from(properties())).isEmpty();
        assertThat(FabricSettings.from(properties(devnet("caduceus.fabric.enabled", "false")))).isEmpty();
    }

    @Test
    void readsTheDevnetsGatewaySettingsPerRole() {
        FabricSettings settings = FabricSettings.from(properties(devnet())).orElseThrow();
        assertThat(settings.writer().userCert()).isEqualTo(Path.of("/d/hospital/cert.pem"));
        assertThat(settings.bridge().userCert()).isEqualTo(Path.of("/d/bridge/cert.pem"));
        assertThat(settings.peers()).extracting(FabricSettings.Peer::org).containsExactly("hospital", "auditor");
        assertThat(settings.peers().get(1).gateway().mspId()).isEqualTo("AuditorMSP");
        assertThat(settings.writer().channel()).isEqualTo("caduceus");
        assertThat(settings.writer().chaincode()).isEqualTo("recordregistry");
    }
}
