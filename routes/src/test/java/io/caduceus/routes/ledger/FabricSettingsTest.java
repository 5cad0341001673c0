package io.caduceus.routes.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class FabricSettingsTest {

    private static DefaultCamelContext context(String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(props);
        return context;
    }

    private static String[] devnet(String... more) {
        java.util.List<String> kv = new java.util.ArrayList<>(java.util.List.of("fabric.channel", "caduceus",
                "fabric.chaincode", "recordregistry", "fabric.peers", "hospital,auditor"));
        for (String org : new String[] {"hospital", "bridge", "auditor"}) {
            kv.addAll(java.util.List.of(
                    "fabric." + org + ".msp.id", org.equals("auditor") ? "AuditorMSP" : "HospitalMSP",
                    "fabric." + org + ".peer.endpoint", org.equals("auditor") ? "127.0.0.1:9051" : "127.0.0.1:7051",
                    "fabric." + org + ".peer.tls.ca.cert", "/d/" + org + "/tlsca.pem",
                    "fabric." + org + ".user.cert", "/d/" + org + "/cert.pem",
                    "fabric." + org + ".user.key", "/d/" + org + "/key.pem"));
        }
        kv.addAll(java.util.List.of(more));
        return kv.toArray(String[]::new);
    }

    @Test
    void withoutAChannelOrSwitchedOffTheMiddlewareKeepsTheKafkaFedBridge() throws Exception {
        try (DefaultCamelContext context = context()) {
            assertThat(FabricSettings.from(context)).isEmpty();
        }
        try (DefaultCamelContext context = context(devnet("caduceus.fabric.enabled", "false"))) {
            assertThat(FabricSettings.from(context)).isEmpty();
        }
    }

    @Test
    void readsTheDevnetsGatewaySettingsPerRoleAndTheBatchOptions() throws Exception {
        try (DefaultCamelContext context = context(devnet("caduceus.fabric.batch.max-entries", "500",
                "caduceus.fabric.batch.max-delay-ms", "100", "caduceus.fabric.retry-budget-ms", "90000"))) {
            FabricSettings settings = FabricSettings.from(context).orElseThrow();
            assertThat(settings.writer().userCert()).isEqualTo(Path.of("/d/hospital/cert.pem"));
            assertThat(settings.bridge().userCert()).isEqualTo(Path.of("/d/bridge/cert.pem"));
            assertThat(settings.peers()).extracting(FabricSettings.Peer::org).containsExactly("hospital", "auditor");
            assertThat(settings.peers().get(1).gateway().mspId()).isEqualTo("AuditorMSP");
            assertThat(settings.batcher().maxBatchSize()).isEqualTo(500);
            assertThat(settings.batcher().maxBatchDelay()).isEqualTo(Duration.ofMillis(100));
            assertThat(settings.batcher().retryPolicy().maxElapsed()).isEqualTo(Duration.ofSeconds(90));
            assertThat(settings.deadLetterTopic()).isEqualTo("caduceus.ledger-entries.dead-letter");
        }
    }
}
