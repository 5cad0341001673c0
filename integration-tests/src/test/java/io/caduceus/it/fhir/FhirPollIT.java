package io.caduceus.it.fhir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The FHIR poll route against the real devnet Kafka, with a legacy FHIR server played by WireMock: changed resources
 * are followed across pages into the vault with their ledger entries on Kafka, invalid ones are quarantined with a
 * notice, a restarted middleware resumes from its checkpoint without ingesting the boundary again, and no patient data
 * reaches Kafka or the logs.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirPollIT {

    private static final String CANARY = "Zzyzxpollcanary";
    private static final String CLIENT = "legacy-it";
    private static final String T1 = "2026-11-20T08:00:00.100+00:00";
    private static final String T2 = "2026-11-20T09:30:00.250+00:00";
    private static final String T3 = "2026-11-21T10:00:00.000+00:00";

    @TempDir
    static Path work;

    private WireMockServer legacy;
    private InProcessMiddleware middleware;
    private Map<String, String> options;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        legacy = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        legacy.start();
        Path token = work.resolve("legacy.token");
        Files.writeString(token, "it-legacy-token");
        // A credential file group or others could read is refused at start.
        Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        // Three pages from the beginning: two valid Patients, an invalid one and a third valid one at T3.
        legacy.stubFor(get(urlPathEqualTo("/fhir/Patient")).withQueryParam("_lastUpdated", absent())
                .willReturn(fhirJson(searchset(legacy.baseUrl() + "/fhir?_getpages=it&_getpagesoffset=2",
                        patient("p1", T1, "MRN-P1"), patient("p2", T2, "MRN-P2")))));
        legacy.stubFor(get(urlPathEqualTo("/fhir")).withQueryParam("_getpagesoffset", equalTo("2"))
                .willReturn(fhirJson(searchset(legacy.baseUrl() + "/fhir?_getpages=it&_getpagesoffset=4",
                        patient("bad", T2, "MRN-BAD").replace("\"female\"", "\"robot\""), patient("p3", T3, "MRN-P3")))));
        legacy.stubFor(get(urlPathEqualTo("/fhir")).withQueryParam("_getpagesoffset", equalTo("4"))
                .willReturn(fhirJson(searchset(null))));
        // From the checkpoint on: the boundary resource again, nothing new.
        legacy.stubFor(get(urlPathEqualTo("/fhir/Patient")).withQueryParam("_lastUpdated", equalTo("ge" + T3))
                .willReturn(fhirJson(searchset(null, patient("p3", T3, "MRN-P3")))));

        long run = System.nanoTime();
        options = new HashMap<>(Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.fhir-poll.ledger-entries." + run,
                "caduceus.kafka.topic.quarantine", "it.fhir-poll.quarantine." + run,
                "caduceus.fhir.poll.enabled", "true",
                "caduceus.fhir.poll.base-url", legacy.baseUrl() + "/fhir",
                "caduceus.fhir.poll.resource-types", "Patient",
                "caduceus.fhir.poll.interval-ms", "500",
                "caduceus.fhir.poll.page-size", "2",
                "caduceus.fhir.poll.client-id", CLIENT,
                "caduceus.fhir.poll.auth.bearer-token-file", token.toString()));
        // Not what is tested here, and the devnet services started are Kafka only.
        options.put("caduceus.anchor.enabled", "false");
        middleware = InProcessMiddleware.start(work.resolve("middleware"), options);
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        if (legacy != null) {
            legacy.stop();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).as("log lines mentioning the canary patient").noneMatch(e -> (e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).contains(CANARY));
    }

    @Test
    void changesAcrossPagesAreStoredPublishedOrQuarantinedAndARestartResumesFromTheCheckpoint() throws Exception {
        List<ConsumerRecord<String, String>> entries = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.ledger-entries"), Duration.ofSeconds(60), r -> r.size() >= 3);
        assertThat(entries).hasSize(3);
        for (ConsumerRecord<String, String> record : entries) {
            LedgerEntry entry = LedgerEntry.fromJson(record.value());
            assertThat(record.key()).isEqualTo(entry.recordId().value());
            assertThat(entry.source().toString()).isEqualTo(CLIENT + "^fhir");
            assertThat(entry.messageType()).isEqualTo("fhir:Patient:update");
            assertThat(entry.patientPseudonym()).isPresent();
            assertThat(record.value()).doesNotContain(CANARY).doesNotContain("MRN-");
            VaultRecord stored = middleware.ingest().vault().get(entry.recordId().value()).orElseThrow();
            assertThat(new String(stored.canonicalBundle(), StandardCharsets.UTF_8)).contains(CANARY);
        }
        List<ConsumerRecord<String, String>> notices = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.quarantine"), Duration.ofSeconds(20), r -> !r.isEmpty());
        assertThat(notices).hasSize(1).allSatisfy(n -> assertThat(n.value()).contains("\"httpStatus\"").doesNotContain(CANARY));
        assertThat(middleware.ingest().vault().listQuarantined()).hasSize(1);

        Path checkpoints = work.resolve("middleware/data/fhir-poll/checkpoints.json");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(checkpoints)
                && Files.readString(checkpoints).contains(T3));
        assertThat(legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient"))).get(0).getHeader("Authorization"))
                .isEqualTo("Bearer it-legacy-token");

        // Restarted on the same data: it asks from the checkpoint, and the boundary resource is not published again.
        middleware.close();
        middleware = null;
        legacy.resetRequests();
        middleware = InProcessMiddleware.start(work.resolve("middleware"), options);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient"))).size() >= 2);
        assertThat(legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient"))))
                .allSatisfy(r -> assertThat(r.queryParameter("_lastUpdated").firstValue()).isEqualTo("ge" + T3));
        assertThat(KafkaTopicReader.readAll(bootstrap(), middleware.property("caduceus.kafka.topic.ledger-entries"),
                Duration.ofSeconds(5), r -> r.size() > 3)).hasSize(3);
    }

    private String bootstrap() {
        return Devnet.property("kafka.bootstrap.servers");
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder fhirJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/fhir+json;charset=utf-8").withBody(body);
    }

    private static String searchset(String next, String... resources) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"searchset\"");
        if (next != null) {
            b.append(",\"link\":[{\"relation\":\"next\",\"url\":\"").append(next).append("\"}]");
        }
        b.append(",\"entry\":[");
        for (int i = 0; i < resources.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"resource\":").append(resources[i]).append(",\"search\":{\"mode\":\"match\"}}");
        }
        return b.append("]}").toString();
    }

    private static String patient(String id, String lastUpdated, String mrn) {
        return "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"" + lastUpdated
                + "\"},\"identifier\":[{\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"" + mrn + "\"}],"
                + "\"name\":[{\"family\":\"" + CANARY + "\",\"given\":[\"Ann\"]}],\"gender\":\"female\",\"birthDate\":\"1970-01-01\"}";
    }
}
