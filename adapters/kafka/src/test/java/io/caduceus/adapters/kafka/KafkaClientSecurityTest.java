package io.caduceus.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.kafka.KafkaClientSecurity.KafkaSecurityException;
import io.caduceus.adapters.kafka.KafkaClientSecurity.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSecurityTest {

    @TempDir
    Path tmp;

    @Test
    void plaintextSetsOnlyTheProtocol() {
        assertThat(KafkaClientSecurity.PLAINTEXT.clientProperties())
                .containsExactly(Map.entry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
        assertThat(new KafkaClientSecurity(null, null, null, null, true, "", null).protocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void saslSslReadsPasswordsAndTheJaasLineFromTheirFiles() throws Exception {
        Path trust = Files.writeString(tmp.resolve("trust.p12"), "x");
        Path key = Files.writeString(tmp.resolve("client.p12"), "x");
        Path trustPassword = Files.writeString(tmp.resolve("trust.password"), "trust-secret\nignored second line\n");
        Path keyPassword = Files.writeString(tmp.resolve("key.password"), "key-secret\n");
        Path jaas = Files.writeString(tmp.resolve("jaas.conf"),
                "org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\"caduceus\"\n"
                        + "  password=\"sasl-secret\";\n");
        KafkaClientSecurity security = new KafkaClientSecurity("sasl_ssl", new Store(trust, null, trustPassword),
                new Store(key, "PKCS12", keyPassword), keyPassword, true, "SCRAM-SHA-512", jaas);

        Map<String, Object> p = security.clientProperties();

        assertThat(p).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL")
                .containsEntry(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "https")
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, trust.toString())
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12")
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, "trust-secret")
                .containsEntry(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, key.toString())
                .containsEntry(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, "key-secret")
                .containsEntry(SslConfigs.SSL_KEY_PASSWORD_CONFIG, "key-secret")
                .containsEntry(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-512")
                .containsEntry(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"caduceus\" password=\"sasl-secret\";");
        assertThat(security.toString()).doesNotContain("secret\"").doesNotContain("trust-secret");
    }

    @Test
    void everyKeyIsARealKafkaClientSetting() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "v");
        Map<String, Object> p = new KafkaClientSecurity("SASL_SSL", new Store(file, "JKS", file),
                new Store(file, null, file), file, false, "PLAIN", file).clientProperties();

        assertThat(p).containsEntry(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
        assertThat(ProducerConfig.configNames()).containsAll(p.keySet());
        assertThat(ConsumerConfig.configNames()).containsAll(p.keySet());
        assertThat(AdminClientConfig.configNames()).containsAll(p.keySet());
    }

    @Test
    void incompleteOrUnknownSettingsAreRefusedAtOnce() {
        assertThatThrownBy(() -> new KafkaClientSecurity("TLS", null, null, null, true, null, null))
                .isInstanceOf(KafkaSecurityException.class).hasMessageContaining("TLS");
        assertThatThrownBy(() -> new KafkaClientSecurity("SASL_SSL", null, null, null, true, "PLAIN", null))
                .isInstanceOf(KafkaSecurityException.class).hasMessageContaining("JAAS");
        assertThatThrownBy(() -> new KafkaClientSecurity("SASL_PLAINTEXT", null, null, null, true, null, tmp))
                .isInstanceOf(KafkaSecurityException.class).hasMessageContaining("SASL mechanism");
    }

    @Test
    void anUnreadableFileIsNamedButNothingOfItsContentIsShown() {
        Path missing = tmp.resolve("absent.password");
        KafkaClientSecurity security = new KafkaClientSecurity("SSL", new Store(tmp.resolve("t.p12"), null, missing),
                null, null, true, null, null);

        assertThatThrownBy(security::clientProperties).isInstanceOf(KafkaSecurityException.class)
                .hasMessageContaining("absent.password");
    }
}
