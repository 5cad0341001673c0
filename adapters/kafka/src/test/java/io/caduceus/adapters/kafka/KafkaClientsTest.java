package io.caduceus.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.kafka.KafkaClientSecurity.KafkaSecurityException;
import io.caduceus.adapters.kafka.RecordMac;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

    @TempDir
    Path tmp;

    private Path pseudonymSecret;
    private Path jaas;
    private Path trustStore;
    private Path trustPassword;

    @BeforeEach
    void files() throws Exception {
        pseudonymSecret = Files.write(tmp.resolve("pseudonym.key"), filled(5));
        jaas = Files.writeString(tmp.resolve("jaas.conf"),
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"mw\" password=\"pw\";\n");
        trustStore = Files.writeString(tmp.resolve("ca.p12"), "not read by this test");
        trustPassword = Files.writeString(tmp.resolve("ca.password"), "changeit\n");
    }

    @Test
    void everyClientStartsFromTheClusterItsIdAndTheSecuritySettings() throws Exception {
        KafkaClients kafka = fromProperties(secured());

        Properties p = kafka.properties("caduceus-test");

        assertThat(p).containsEntry("bootstrap.servers", "broker-1:9093,broker-2:9093")
                .containsEntry("client.id", "caduceus-test")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", trustStore.toString())
                .containsEntry("ssl.truststore.password", "changeit")
                .containsEntry("ssl.endpoint.identification.algorithm", "https")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", Files.readString(jaas).strip());
        assertThat(kafka.securityProperties()).doesNotContainKeys("bootstrap.servers", "client.id")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(kafka.toString()).doesNotContain("changeit").doesNotContain("password=");
    }

    @Test
    void withoutSecurityOptionsClientsUsePlainText() throws Exception {
        KafkaClients kafka = fromProperties(Map.of("caduceus.secrets.pseudonym-secret-file", pseudonymSecret.toString()));

        assertThat(kafka.properties("c")).containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKeys("ssl.truststore.location", "sasl.jaas.config")
                .containsEntry("bootstrap.servers", "127.0.0.1:19092");
    }

    @Test
    void camelKafkaGetsTheSameSettingsAndTheyWinOverCamelsOwnOptions() throws Exception {
        KafkaClients kafka = fromProperties(secured());
        KafkaConfiguration configuration = new KafkaConfiguration();
        configuration.setBrokers("broker-1:9093");
        configuration.setSecurityProtocol("PLAINTEXT");
        configuration.setAdditionalProperties(new java.util.HashMap<>(Map.of("max.block.ms", "10000")));

        kafka.configure(configuration);
        Properties producer = configuration.createProducerProperties();

        assertThat(producer).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.password", "changeit")
                .containsEntry("max.block.ms", "10000");
    }

    @Test
    void theRecordMacKeyIsDerivedFromThePseudonymSecretUnlessAKeyFileIsGiven() throws Exception {
        KafkaClients derived = fromProperties(secured());
        assertThat(derived.recordMac().keyId())
                .isEqualTo(RecordMac.withKeys(RecordMac.deriveKey(filled(5)), List.of()).keyId());

        Path own = Files.write(tmp.resolve("record-mac.key"), filled(6));
        Path old = Files.write(tmp.resolve("record-mac.old"), filled(7));
        Map<String, String> options = new java.util.HashMap<>(secured());
        options.put("caduceus.kafka.record-mac.key-file", own.toString());
        options.put("caduceus.kafka.record-mac.previous-key-files", " " + old + " , ");
        KafkaClients rotated = fromProperties(options);

        assertThat(rotated.recordMac().keyId()).isEqualTo(RecordMac.withKeys(filled(6), List.of()).keyId());
        byte[] value = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] underOldKey = RecordMac.withKeys(filled(7), List.of()).header(RecordMac.Stream.LEDGER_ENTRIES, value);
        assertThat(rotated.recordMac().verify(RecordMac.Stream.LEDGER_ENTRIES, value, underOldKey))
                .isEqualTo(RecordMac.Verdict.VALID);
    }

    @Test
    void missingFilesStopTheStartNamingTheFileOnly() throws Exception {
        Map<String, String> options = new java.util.HashMap<>(secured());
        options.put("caduceus.kafka.sasl.jaas-config-file", tmp.resolve("absent.conf").toString());
        assertThatThrownBy(() -> fromProperties(options)).isInstanceOf(KafkaSecurityException.class)
                .hasMessageContaining("absent.conf");

        Map<String, String> shortKey = new java.util.HashMap<>(secured());
        shortKey.put("caduceus.kafka.record-mac.key-file", Files.write(tmp.resolve("short.key"), new byte[16]).toString());
        assertThatThrownBy(() -> fromProperties(shortKey)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("short.key");
    }

    private Map<String, String> secured() {
        return Map.of(
                "kafka.bootstrap.servers", "broker-1:9093,broker-2:9093",
                "caduceus.secrets.pseudonym-secret-file", pseudonymSecret.toString(),
                "caduceus.kafka.security.protocol", "SASL_SSL",
                "caduceus.kafka.ssl.trust-store", trustStore.toString(),
                "caduceus.kafka.ssl.trust-store-password-file", trustPassword.toString(),
                "caduceus.kafka.sasl.mechanism", "SCRAM-SHA-512",
                "caduceus.kafka.sasl.jaas-config-file", jaas.toString());
    }

    static KafkaClients fromProperties(Map<String, String> options) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Properties properties = new Properties();
            properties.putAll(options);
            context.getPropertiesComponent().setInitialProperties(properties);
            return KafkaClients.from(context.getPropertiesComponent());
        }
    }

    private static byte[] filled(int b) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) b);
        return key;
    }
}
