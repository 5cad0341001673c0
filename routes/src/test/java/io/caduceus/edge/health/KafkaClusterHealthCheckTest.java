package io.caduceus.edge.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.kafka.TestKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClusterHealthCheckTest {

    @TempDir
    Path dir;

    @Test
    void theAdminClientCarriesTheSecuritySettings() throws Exception {
        assertThat(KafkaClusterHealthCheck.adminProperties(TestKafka.secured(dir)))
                .containsEntry("bootstrap.servers", "broker:9093").containsEntry("client.id", "caduceus-health")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("ssl.truststore.password", "trust-pw");
    }
}
