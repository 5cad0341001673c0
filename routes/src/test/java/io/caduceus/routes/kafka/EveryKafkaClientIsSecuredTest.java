package io.caduceus.routes.kafka;

import io.caduceus.adapters.kafka.KafkaClients;
import io.caduceus.adapters.kafka.KafkaRecordSigner;
import io.caduceus.adapters.kafka.TopicProvisioner;
import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.routes.AppWithoutKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Kafka client escapes the security settings and no route publishes an unauthenticated ledger entry or access
 * event: the clients the code makes itself are exactly the known ones (each tested to carry the settings), the
 * camel-kafka endpoints of the running application carry them, and every send to an authenticated topic in the
 * shipped routes is preceded by the signing step.
 */
class EveryKafkaClientIsSecuredTest {

    private static final Pattern CLIENT = Pattern.compile("new KafkaConsumer<|new KafkaProducer<|Admin\\.create\\(|"
            + "AdminClient\\.create\\(");
    /**
     * Each makes its clients from KafkaClients; tested in KafkaLedgerFeedTest, ForwarderRefusalTest,
     * KafkaClusterHealthCheckTest. Named by file, wherever its module is, so moving a class does not hide a client.
     */
    private static final Set<String> KNOWN = Set.of("KafkaLedgerFeed.java", "LedgerForwarder.java",
            "AccessLogForwarder.java", "KafkaClusterHealthCheck.java",
            // Takes its client properties from the caller: TopicProvisioner passes KafkaClients' settings.
            "KafkaTopics.java");
    /** Every module whose code runs in the middleware. */
    private static final List<String> PRODUCTION_MODULES = List.of("core", "ingest", "adapters", "edges", "bridge",
            "routes");

    @TempDir
    Path tmp;

    @Test
    void theKafkaClientsTheCodeMakesItselfAreExactlyTheKnownOnes() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        Set<String> found = new TreeSet<>();
        Path topicProvisioner = null;
        for (String module : PRODUCTION_MODULES) {
            try (Stream<Path> files = Files.walk(root.resolve(module))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/"))
                        .toList()) {
                    if (CLIENT.matcher(Files.readString(file)).find()) {
                        found.add(file.getFileName().toString());
                    }
                    if (file.getFileName().toString().equals("TopicProvisioner.java")) {
                        topicProvisioner = file;
                    }
                }
            }
        }
        assertThat(found).as("a new Kafka client must start from KafkaClients.properties and be added here with a test")
                .containsExactlyInAnyOrderElementsOf(KNOWN);
        assertThat(topicProvisioner).as("TopicProvisioner").isNotNull();
        assertThat(Files.readString(topicProvisioner)).contains("kafka.securityProperties()");
    }

    @Test
    void everySendToTheLedgerEntryOrAccessEventTopicIsSignedFirst() throws IOException {
        Pattern send = Pattern.compile("(?m)^( *)- bean:\\n\\1    ref: (\\w+)\\n\\1    method: (\\w+)\\n\\1- to: "
                + "\"kafka:\\{\\{caduceus\\.kafka\\.topic\\.(ledger-entries|access-events)}}\"");
        Pattern anySend = Pattern.compile("to: \"kafka:\\{\\{caduceus\\.kafka\\.topic\\.(ledger-entries|access-events)}}\"");
        int sends = 0;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/camel"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                String yaml = Files.readString(file);
                long total = anySend.matcher(yaml).results().count();
                Matcher signed = send.matcher(yaml);
                long signedCount = 0;
                while (signed.find()) {
                    assertThat(signed.group(2)).as(file.getFileName().toString()).isEqualTo(KafkaRecordSigner.BEAN);
                    assertThat(signed.group(3)).as(file.getFileName().toString())
                            .isEqualTo(signed.group(4).equals("ledger-entries") ? "ledgerEntry" : "accessEvent");
                    signedCount++;
                }
                assertThat(signedCount).as("signed sends in " + file.getFileName()).isEqualTo(total);
                sends += (int) total;
            }
        }
        assertThat(sends).as("HL7 ingest, FHIR write, FHIR poll, FHIR read, operator actions (console.camel.yaml)").isEqualTo(5);
    }

    @Test
    void theRunningApplicationsCamelKafkaEndpointsCarryTheSecuritySettings() throws Exception {
        Path jaas = Files.writeString(tmp.resolve("jaas.conf"),
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mw\" password=\"pw\";\n");
        Main main = AppWithoutKafka.start(tmp, "camel.server.port=" + AppWithoutKafka.freePort(),
                "caduceus.mllp.port=" + AppWithoutKafka.freePort(),
                "caduceus.kafka.security.protocol=SASL_PLAINTEXT",
                "caduceus.kafka.sasl.mechanism=PLAIN",
                "caduceus.kafka.sasl.jaas-config-file=" + jaas);
        try {
            var context = main.getCamelContext();
            // Behind the test's interception (the sends are skipped, the endpoints are still made as configured).
            List<KafkaEndpoint> endpoints = context.getEndpoints().stream()
                    .map(e -> e instanceof org.apache.camel.spi.InterceptSendToEndpoint i ? i.getOriginalEndpoint() : e)
                    .filter(KafkaEndpoint.class::isInstance).map(KafkaEndpoint.class::cast).toList();
            assertThat(endpoints).as("the routes' Kafka endpoints: " + context.getEndpoints())
                    .hasSizeGreaterThanOrEqualTo(4);
            for (KafkaEndpoint endpoint : endpoints) {
                assertThat(endpoint.getConfiguration().createProducerProperties()).as(endpoint.getEndpointUri())
                        .containsEntry("security.protocol", "SASL_PLAINTEXT")
                        .containsEntry("sasl.mechanism", "PLAIN")
                        .containsEntry("sasl.jaas.config", Files.readString(jaas).strip());
            }
            assertThat(context.getComponent("kafka", KafkaComponent.class).getConfiguration()
                    .createProducerProperties()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .containsEntry("max.block.ms", "10000");
            assertThat(KafkaClients.of(context).properties("x")).containsEntry("security.protocol", "SASL_PLAINTEXT");
            assertThat(context.getRegistry().lookupByName(KafkaRecordSigner.BEAN)).isInstanceOf(KafkaRecordSigner.class);
        } finally {
            main.stop();
        }
    }
}
