package io.caduceus.edge.fhir;

import io.caduceus.adapters.kafka.RecordMac;
import io.caduceus.adapters.kafka.KafkaRecordSigner;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.domain.LedgerEntry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockComponent;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * camel/fhir-poll.camel.yaml with the real poller, FHIR inbound path and file vault, against a legacy server played by
 * WireMock. Kafka is a mock endpoint standing in for the component (the real broker is FhirPollIT's): it acknowledges,
 * or fails, every send, which is what the checkpoint depends on. The timer is replaced by a direct endpoint, so that
 * each {@link Middleware#poll} is one complete poll.
 */
class FhirPollRouteTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final RecordMac RECORD_MAC = RecordMac.withKeys(new byte[32], java.util.List.of());
    private static final String T1 = "2026-11-20T08:00:00.100+00:00";
    private static final String T2 = "2026-11-20T09:30:00.250+00:00";
    private static final String T3 = "2026-11-21T10:00:00.000Z";

    private static ProfileValidator validator;

    @TempDir
    Path work;

    private WireMockServer legacy;
    private RecordVault vault;
    private FhirInbound inbound;
    private Path tokenFile;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<Middleware> started = new ArrayList<>();

    @BeforeAll
    static void createValidator() {
        validator = ProfileValidator.create(FHIR, null);
        // Its first use of a type loads definitions for seconds: not what the deadlines below are about.
        validator.validate(FhirSamples.patient("MRN-warm"), "Patient");
        validator.validate(observation("warm", T1), "Observation");
    }

    @BeforeEach
    void start() throws Exception {
        legacy = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        legacy.start();
        vault = FhirTestBeans.vault(work.resolve("vault"));
        // Polled content comes from a trusted system: no token is ever verified here.
        inbound = FhirTestBeans.inbound(vault, FhirTestBeans.verifier(null), validator);
        tokenFile = work.resolve("legacy.token");
        Files.writeString(tokenFile, "legacy-token-1\n");
        Files.setPosixFilePermissions(tokenFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void stop() {
        started.forEach(Middleware::close);
        legacy.stop();
        vault.close();
        root().detachAppender(logs);
        assertThat(logs.list).as("log lines quoting legacy content").noneMatch(e -> (e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .contains(FhirSamples.CANARY));
    }

    @Test
    void everyPageIsFollowedAndEveryMatchStoredAndPublishedKeyedByItsRecordId() throws Exception {
        stubSearch("Patient", null, searchset(next("/fhir/?_getpages=s1&_getpagesoffset=2"), patient("p1", "1", T1, "MRN-1"),
                patient("p2", "4", T2, "MRN-2")));
        legacy.stubFor(get(urlPathEqualTo("/fhir/")).withQueryParam("_getpages", equalTo("s1"))
                .willReturn(fhirJson(searchset(null, patient("p3", "1", T3, "MRN-3")))));
        Middleware middleware = start("Patient");

        middleware.poll();

        List<Exchange> sent = middleware.ledger().getReceivedExchanges();
        assertThat(sent).hasSize(3);
        for (Exchange kafka : sent) {
            String json = kafka.getMessage().getBody(String.class);
            LedgerEntry entry = LedgerEntry.fromJson(json);
            assertThat(kafka.getMessage().getHeader("kafka.KEY")).isEqualTo(entry.recordId().value());
            assertThat(entry.messageType()).isEqualTo("fhir:Patient:update");
            assertThat(entry.source().toString()).isEqualTo("legacy-fhir^fhir");
            assertThat(entry.patientPseudonym()).isPresent();
            assertThat(json).doesNotContain(FhirSamples.CANARY).doesNotContain("MRN-");
            assertThat(kafka.getMessage().getHeaders().keySet())
                    .allMatch(h -> h.startsWith("kafka.") || h.startsWith("Camel") || h.equals(RecordMac.HEADER));
            assertThat(RECORD_MAC.verify(RecordMac.Stream.LEDGER_ENTRIES, json.getBytes(StandardCharsets.UTF_8),
                    kafka.getMessage().getHeader(RecordMac.HEADER, byte[].class)))
                    .as("authenticated for the ledger-entry consumers").isEqualTo(RecordMac.Verdict.VALID);
            assertThat(new String(vault.get(entry.recordId().value()).orElseThrow().originalMessage(), StandardCharsets.UTF_8))
                    .as("kept as the server wrote it").startsWith("{\"resourceType\" : \"Patient\"").contains(FhirSamples.CANARY);
        }

        List<LoggedRequest> requests = legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient")));
        assertThat(requests).hasSize(1);
        LoggedRequest first = requests.get(0);
        assertThat(first.queryParameter("_lastUpdated").isPresent()).as("no checkpoint yet: everything").isFalse();
        assertThat(first.queryParameter("_sort").firstValue()).isEqualTo("_lastUpdated");
        assertThat(first.queryParameter("_count").firstValue()).isEqualTo("2");
        assertThat(first.getHeader("Accept")).isEqualTo("application/fhir+json");
        assertThat(first.getHeader("Authorization")).isEqualTo("Bearer legacy-token-1");
        assertThat(middleware.checkpoints().get("Patient")).isEqualTo(new FhirPollCheckpoints.Checkpoint(T3, java.util.Set.of("Patient/p3/_history/1")));
    }

    @Test
    void aRestartResumesFromTheCheckpointIngestingOnlyWhatWasNotSeenAtItsInstant() throws Exception {
        stubSearch("Patient", null, searchset(null, patient("a", "1", T1, "MRN-A"), patient("b", "1", T2, "MRN-B"),
                patient("c", "1", T2, "MRN-C")));
        start("Patient").poll();
        restartAll();
        assertThat(Files.readString(work.resolve("poll/checkpoints.json"))).contains(T2).contains("Patient/b/_history/1");

        // Another resource got the same lastUpdated instant after the first poll; one more came later.
        stubSearch("Patient", "ge" + T2, searchset(null, patient("b", "1", T2, "MRN-B"), patient("c", "1", T2, "MRN-C"),
                patient("d", "1", T2, "MRN-D"), patient("e", "2", T3, "MRN-E")));
        Middleware restarted = start("Patient");
        restarted.poll();

        assertThat(restarted.ledger().getReceivedExchanges()).as("d and e only").hasSize(2);
        List<LoggedRequest> requests = legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient")));
        assertThat(requests.get(requests.size() - 1).queryParameter("_lastUpdated").firstValue()).isEqualTo("ge" + T2);
        assertThat(requests.get(requests.size() - 1).getUrl()).as("the instant's + is encoded").contains("%2B00%3A00");
        assertThat(restarted.checkpoints().get("Patient").since()).isEqualTo(T3);

        // Nothing new: nothing published, nothing moves.
        stubSearch("Patient", "ge" + T3, searchset(null, patient("e", "2", T3, "MRN-E")));
        restarted.poll();
        assertThat(restarted.ledger().getReceivedExchanges()).hasSize(2);
    }

    @Test
    void aKafkaFailureLeavesTheCheckpointAndTheReplayLandsOnTheSameRecords() throws Exception {
        stubSearch("Patient", null, searchset(null, patient("p1", "1", T1, "MRN-K1"), patient("p2", "1", T2, "MRN-K2")));
        Middleware middleware = start("Patient");
        middleware.ledger().whenExchangeReceived(2, e -> {
            throw new org.apache.kafka.common.errors.TimeoutException("broker down");
        });

        middleware.poll();
        assertThat(middleware.checkpoints().get("Patient").since()).as("not everything acknowledged").isNull();
        assertThat(Files.exists(work.resolve("poll/checkpoints.json"))).isFalse();
        List<String> firstKeys = keys(middleware.ledger());

        middleware.poll();
        List<String> keys = keys(middleware.ledger());
        assertThat(keys).hasSize(4);
        assertThat(keys.subList(2, 4)).as("the same version polled again is the same record").isEqualTo(firstKeys);
        assertThat(middleware.checkpoints().get("Patient").since()).isEqualTo(T2);
        assertThat(middleware.ledger().getReceivedExchanges().get(3).getMessage().getBody(String.class))
                .isEqualTo(middleware.ledger().getReceivedExchanges().get(1).getMessage().getBody(String.class));
    }

    @Test
    void serverFailuresAreRetriedNextPollWithoutStoppingTheOtherTypesOrLoggingTheAnswer() throws Exception {
        legacy.stubFor(get(urlPathEqualTo("/fhir/Observation")).willReturn(fhirJson(searchset(null, observation("o1", T1)))));
        Middleware middleware = start("Patient", "Observation");
        List<MappingBuilder> failures = List.of(
                search("Patient", null).willReturn(aResponse().withStatus(500).withBody("{\"diagnostics\":\"" + FhirSamples.CANARY + "\"}")),
                search("Patient", null).willReturn(aResponse().withStatus(401).withBody(FhirSamples.CANARY)),
                search("Patient", null).willReturn(fhirJson("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + FhirSamples.CANARY + "\"")),
                search("Patient", null).willReturn(fhirJson("<Bundle>" + FhirSamples.CANARY + "</Bundle>")),
                search("Patient", null).willReturn(fhirJson(patient("x", "1", T1, "MRN-X"))),
                search("Patient", null).willReturn(fhirJson(searchset(null, patient("x", "1", T1, "MRN-X"))).withFixedDelay(20_000)),
                search("Patient", null).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)),
                search("Patient", null).willReturn(fhirJson(searchset(null, patient("x", "1", T2, "MRN-X"), patient("y", "1", T1, "MRN-Y")))),
                search("Patient", null).willReturn(fhirJson(searchset(next("http://elsewhere.example/fhir?page=2"),
                        patient("x", "1", T1, "MRN-X")))));
        int polls = 0;
        for (MappingBuilder failure : failures) {
            legacy.stubFor(failure);
            long start = System.nanoTime();
            middleware.poll();
            polls++;
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("every call has a deadline").isLessThan(Duration.ofSeconds(10));
            assertThat(middleware.checkpoints().get("Patient").since()).as("failure %d", polls).isNull();
            assertThat(middleware.ledger().getReceivedExchanges()).as("only the Observation, once").hasSize(1);
            assertThat(middleware.checkpoints().get("Observation").since()).isEqualTo(T1);
        }
        assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().startsWith("FHIR poll of Patient from the legacy server failed"))
                .hasSize(failures.size());

        // Recovered: the next poll catches up.
        stubSearch("Patient", null, searchset(null, patient("x", "1", T1, "MRN-X")));
        middleware.poll();
        assertThat(middleware.ledger().getReceivedExchanges()).hasSize(2);
        assertThat(middleware.checkpoints().get("Patient").since()).isEqualTo(T1);
    }

    @Test
    void invalidContentIsQuarantinedAndNotifiedAndTheCheckpointMovesPastIt() throws Exception {
        String invalid = patient("bad", "1", T1, "MRN-Q1").replace("\"female\"", "\"robot\"");
        String wrongType = observation("obs-in-patients", T2);
        stubSearch("Patient", null, searchset(null, invalid, wrongType, patient("good", "1", T3, "MRN-Q2")));
        Middleware middleware = start("Patient");
        int before = vault.listQuarantined().size();

        middleware.poll();

        assertThat(vault.listQuarantined()).hasSize(before + 2);
        assertThat(vault.listQuarantined().get(before).reason()).startsWith("422");
        assertThat(vault.listQuarantined().get(before + 1).reason()).startsWith("400");
        List<Exchange> notices = middleware.quarantine().getReceivedExchanges();
        assertThat(notices).hasSize(2).allSatisfy(n -> {
            assertThat(n.getMessage().getBody(String.class)).contains("\"httpStatus\"").contains("legacy-fhir^fhir")
                    .doesNotContain(FhirSamples.CANARY).doesNotContain("robot");
            assertThat(n.getMessage().getHeader("kafka.KEY", String.class)).isNotBlank();
        });
        assertThat(middleware.ledger().getReceivedExchanges()).hasSize(1);
        assertThat(middleware.checkpoints().get("Patient").since()).isEqualTo(T3);
    }

    @Test
    void credentialsAreReadForEveryPollAndBasicAuthIsSupported() throws Exception {
        stubSearch("Patient", null, searchset(null));
        Middleware middleware = start("Patient");
        middleware.poll();
        Files.writeString(tokenFile, "legacy-token-2");
        middleware.poll();
        List<LoggedRequest> requests = legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient")));
        assertThat(requests).extracting(r -> r.getHeader("Authorization")).containsExactly("Bearer legacy-token-1", "Bearer legacy-token-2");

        Path password = work.resolve("legacy.password");
        Files.writeString(password, "s3cret");
        Files.setPosixFilePermissions(password, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        FhirPollSettings basic = settings(List.of("Patient"), null, "poller", password);
        Middleware withBasic = start(basic);
        withBasic.poll();
        requests = legacy.findAll(getRequestedFor(urlPathEqualTo("/fhir/Patient")));
        assertThat(requests.get(requests.size() - 1).getHeader("Authorization"))
                .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("poller:s3cret".getBytes(StandardCharsets.UTF_8)));
    }

    // --- the legacy server ---

    private MappingBuilder search(String type, String lastUpdated) {
        return get(urlPathEqualTo("/fhir/" + type)).withQueryParam("_lastUpdated", lastUpdated == null ? absent() : equalTo(lastUpdated))
                .withQueryParam("_sort", equalTo("_lastUpdated"));
    }

    private void stubSearch(String type, String lastUpdated, String bundle) {
        legacy.stubFor(search(type, lastUpdated).willReturn(fhirJson(bundle)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder fhirJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/fhir+json;charset=utf-8").withBody(body);
    }

    private String next(String path) {
        return path.startsWith("http") ? path : legacy.baseUrl() + path;
    }

    private static String searchset(String next, String... resources) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"link\":[{\"relation\":\"self\",\"url\":\"x\"}");
        if (next != null) {
            b.append(",{\"relation\":\"next\",\"url\":\"").append(next).append("\"}");
        }
        b.append("],\"entry\":[");
        for (int i = 0; i < resources.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"fullUrl\":\"x\",\"resource\":").append(resources[i])
                    .append(",\"search\":{\"mode\":\"match\"}}");
        }
        // An outcome entry, as HAPI adds for warnings: not a match, not ingested.
        b.append(resources.length == 0 ? "" : ",").append("{\"resource\":{\"resourceType\":\"OperationOutcome\",\"issue\":[]},"
                + "\"search\":{\"mode\":\"outcome\"}}");
        return b.append("]}").toString();
    }

    /** A Patient as a HAPI server writes it (pretty printed, meta first). */
    private static String patient(String id, String version, String lastUpdated, String mrn) {
        return "{\"resourceType\" : \"Patient\", \"id\":\"" + id + "\",\"meta\":{\"versionId\":\"" + version + "\",\"lastUpdated\":\""
                + lastUpdated + "\"}," + FhirSamples.patient(mrn).substring("{\"resourceType\":\"Patient\",".length());
    }

    private static String observation(String id, String lastUpdated) {
        return "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"" + lastUpdated
                + "\"},\"status\":\"final\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},"
                + "\"subject\":{\"identifier\":{\"system\":\"urn:oid:1.2.36.146.595.217.0.1\",\"value\":\"MRN-O\"}},"
                + "\"valueQuantity\":{\"value\":61,\"unit\":\"beats/minute\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
    }

    // --- the middleware side ---

    private FhirPollSettings settings(List<String> types, Path bearer, String username, Path password) {
        // Deadlines generous for a first request in a busy JVM, and far below the 20 s the slow answer takes.
        return new FhirPollSettings(true, URI.create(legacy.baseUrl() + "/fhir"), types, 2, Duration.ofSeconds(2),
                Duration.ofSeconds(5), 1_000_000, bearer, username, password, "legacy-fhir", null,
                work.resolve("poll/checkpoints.json"));
    }

    private Middleware start(String... types) throws Exception {
        return start(settings(List.of(types), tokenFile, null, null));
    }

    private Middleware start(FhirPollSettings settings) throws Exception {
        Middleware middleware = new Middleware(settings);
        started.add(middleware);
        return middleware;
    }

    private void restartAll() {
        started.forEach(Middleware::close);
        started.clear();
    }

    private static List<String> keys(MockEndpoint endpoint) {
        return endpoint.getReceivedExchanges().stream().map(e -> e.getMessage().getHeader("kafka.KEY", String.class)).toList();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** The poll route in a Camel context of its own, with its checkpoints read from disk as at a start. */
    private final class Middleware implements AutoCloseable {

        private final CamelContext camel = new DefaultCamelContext();
        private final FhirPollCheckpoints checkpoints;
        private final ProducerTemplate template;

        Middleware(FhirPollSettings settings) throws Exception {
            Properties properties = new Properties();
            properties.setProperty("caduceus.fhir.poll.enabled", "true");
            properties.setProperty("caduceus.fhir.poll.interval-ms", "3600000");
            properties.setProperty("caduceus.kafka.topic.ledger-entries", "ledger");
            properties.setProperty("caduceus.kafka.topic.quarantine", "quarantine");
            camel.getPropertiesComponent().setInitialProperties(properties);
            // Under the name "kafka", so the YAML is tested unchanged; not autowired, as Camel would configure it as Kafka.
            MockComponent kafka = new MockComponent();
            kafka.setAutowiredEnabled(false);
            camel.setAutowiredEnabled(false);
            camel.addComponent("kafka", kafka);
            checkpoints = FhirPollCheckpoints.open(settings.checkpointFile(), settings.baseUrl().toString(), settings.since());
            camel.getRegistry().bind(KafkaRecordSigner.BEAN, new KafkaRecordSigner(RECORD_MAC));
            camel.getRegistry().bind("fhirChangePoller", new FhirChangePoller(settings, new LegacyFhirClient(settings), checkpoints, inbound.store(), vault));
            PluginHelper.getRoutesLoader(camel).loadRoutes(PluginHelper.getResourceLoader(camel).resolveResource("classpath:camel/fhir-poll.camel.yaml"));
            AdviceWith.adviceWith(camel, "fhir-poll", route -> route.replaceFromWith("direct:poll"));
            camel.start();
            template = camel.createProducerTemplate();
        }

        void poll() {
            Exchange done = template.send("direct:poll", e -> { });
            assertThat(done.getException()).as("the route never fails").isNull();
        }

        MockEndpoint ledger() {
            return camel.getEndpoint("kafka:ledger", MockEndpoint.class);
        }

        MockEndpoint quarantine() {
            return camel.getEndpoint("kafka:quarantine", MockEndpoint.class);
        }

        FhirPollCheckpoints checkpoints() {
            return checkpoints;
        }

        @Override
        public void close() {
            camel.stop();
        }
    }
}
