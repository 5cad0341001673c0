package io.caduceus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(120)
class FhirLoadToolTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    @Test
    void theDefaultsAreTenResourceBundlesOverEightClientsWithAnAutomaticWarmUp() {
        FhirLoadTool.Options options = FhirLoadTool.Options.parse("--fhir");

        assertThat(options.url()).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(options.bundles()).isEqualTo(3_000);
        assertThat(options.clients()).isEqualTo(8);
        assertThat(options.resourcesPerBundle()).isEqualTo(10);
        assertThat(options.warmup()).isEqualTo("auto");
        assertThat(options.log()).isNull();
        assertThat(options.hl7Messages()).isZero();
    }

    @Test
    void everyOptionIsRead() {
        FhirLoadTool.Options options = FhirLoadTool.Options.parse("--fhir", "--url", "http://10.0.0.1:9090/", "--bundles", "500",
                "--clients", "16", "--resources-per-bundle", "25", "--warmup", "200", "--log", "/tmp/x.tsv", "--hl7", "30000",
                "--mllp-host", "10.0.0.2", "--mllp-port", "2576", "--hl7-connections", "8", "--hl7-warmup", "0",
                "--status-url", "http://10.0.0.1:9090/api/status");

        assertThat(options).isEqualTo(new FhirLoadTool.Options(URI.create("http://10.0.0.1:9090"), 500, 16, 25, "200",
                Path.of("/tmp/x.tsv"), 30_000, "10.0.0.2", 2576, 8, "0", URI.create("http://10.0.0.1:9090/api/status")));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("--bundles", "many")).hasMessageContaining("--bundles takes a number");
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("--clients", "0")).hasMessageContaining("--clients must be 1");
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("--resources-per-bundle", "0")).hasMessageContaining("must be 1 to 1000");
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("--warmup", "soon")).hasMessageContaining("--warmup takes auto or a number");
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("--bundle", "5")).hasMessageContaining("unknown option --bundle");
        assertThatThrownBy(() -> FhirLoadTool.Options.parse("5")).hasMessageContaining("unexpected argument 5");
    }

    @Test
    void theWarmUpIsAnnouncedBeforeAnythingIsSent() {
        assertThat(FhirLoadTool.warmUpPlan("auto")).contains("1,000 bundles").contains("8,000 bundles").contains("not counted");
        assertThat(FhirLoadTool.warmUpPlan("300")).contains("300 bundles, not counted");
        assertThat(FhirLoadTool.warmUpPlan("0")).startsWith("no warm-up");
    }

    /** What the middleware's validator would refuse the load must not send: the figures would be of rejections. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 10, 25})
    void bundlesAreValidR4TransactionsWhoseReferencesAllResolveInTheBundle(int resources) {
        FhirValidator validator = validator();
        for (long i = 0; i < 12; i++) {
            String text = FhirBundles.bundle("run", i, resources);

            ValidationResult result = validator.validateWithResult(text);
            List<String> errors = result.getMessages().stream()
                    .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                    .map(SingleValidationMessage::toString).toList();
            assertThat(errors).as("bundle %d of %d resources", i, resources).isEmpty();

            Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, text);
            assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
            assertThat(bundle.getEntry()).hasSize(resources);
            assertThat(bundle.getEntry().get(0).getResource().fhirType()).isEqualTo("Patient");
            Set<String> fullUrls = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getFullUrl).collect(Collectors.toSet());
            assertThat(fullUrls).hasSize(resources);
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                assertThat(entry.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
                assertThat(entry.getRequest().getUrl()).isEqualTo(entry.getResource().fhirType());
                for (Reference reference : FHIR.newTerser().getAllPopulatedChildElementsOfType(entry.getResource(), Reference.class)) {
                    assertThat(fullUrls).contains(reference.getReference());
                }
            }
        }
    }

    @Test
    void aTenResourceBundleMixesTheUsualClinicalTypes() {
        Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, FhirBundles.bundle("run", 3, 10));

        assertThat(bundle.getEntry().stream().map(e -> e.getResource().fhirType()).toList()).containsExactly("Patient", "Encounter",
                "Condition", "Observation", "Observation", "Observation", "Observation", "Observation", "AllergyIntolerance", "Procedure");
    }

    @Test
    void noBundleRepeatsAnotherOrItsIds() {
        Set<String> bodies = new HashSet<>();
        Set<String> fullUrls = new HashSet<>();
        for (long i = 0; i < 500; i++) {
            assertThat(bodies.add(FhirBundles.bundle("run", i, 10))).isTrue();
            for (int e = 0; e < 10; e++) {
                assertThat(fullUrls.add(FhirBundles.fullUrl("run", i, e))).isTrue();
            }
        }
        assertThat(FhirBundles.bundle("other", 0, 10)).isNotEqualTo(FhirBundles.bundle("run", 0, 10));
    }

    @Test
    void everyBundleIsSentOnceAndEveryOtherAnswerIsCountedAsAnError() {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        // Counted apart from the map: seven senders read the map's size between each other's inserts.
        AtomicInteger arrivals = new AtomicInteger();
        FhirLoadTool.Sender sender = (body, entries) -> {
            String fullUrl = body.substring(body.indexOf("urn:uuid:"), body.indexOf("urn:uuid:") + 45);
            int n = seen.computeIfAbsent(fullUrl, k -> new AtomicInteger()).incrementAndGet();
            assertThat(n).isEqualTo(1);
            return arrivals.incrementAndGet() % 10 == 0 ? 503 : 200;
        };

        FhirLoadTool.Result result = FhirLoadTool.drive(sender, 200, 7, 10, "t", MessageLog.NONE.phase("measured"));

        assertThat(seen).hasSize(200);
        assertThat(result.statuses()).isEqualTo(Map.of(200, 180L, 503, 20L));
        assertThat(result.errors()).isEqualTo(20);
        assertThat(result.errorNote()).contains("ERRORS: 20");
        assertThat(result.percentile(99)).isPositive();
    }

    @Test
    void aFixedWarmUpSendsExactlyThatManyBundlesAndTheLogNamesEachOnceInItsPhase(@TempDir Path dir) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        FhirLoadTool.Sender sender = (body, entries) -> {
            sent.incrementAndGet();
            return 200;
        };
        Path file = dir.resolve("bundles.tsv");
        try (MessageLog log = MessageLog.open(file, "phase\tbundle\tstatus\tlatencyMs")) {
            assertThat(FhirLoadTool.warmUp(sender, "30", 4, 10, "w", 1_000, 8, log)).isEqualTo(30);
            FhirLoadTool.drive(sender, 50, 4, 10, "m", log.phase("measured"));
        }

        assertThat(sent).hasValue(80);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0)).isEqualTo("phase\tbundle\tstatus\tlatencyMs");
        assertThat(lines.subList(1, lines.size())).hasSize(80).allMatch(l -> l.matches("(warmup|measured)\t[wm]-\\d+\t200\t\\d+\\.\\d{3}"));
        assertThat(lines.stream().filter(l -> l.startsWith("warmup\t")).map(l -> l.split("\t")[1]).distinct()).hasSize(30);
    }

    @Test
    void overHttpTheTokenIsSentAndOnlyAFullTransactionResponseCounts() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger requests = new AtomicInteger();
        Set<String> authorizations = ConcurrentHashMap.newKeySet();
        server.createContext("/fhir", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int n = requests.incrementAndGet();
            int entries = request.split("\"request\":").length - 1;
            // Every third answer leaves out one entry: a 200 that does not say every resource was created.
            StringBuilder answer = new StringBuilder("{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[");
            for (int e = 0; e < (n % 3 == 0 ? entries - 1 : entries); e++) {
                answer.append(e == 0 ? "" : ",").append("{\"response\":{\"status\":\"201 Created\"}}");
            }
            byte[] bytes = answer.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            FhirLoadTool.Sender sender = new FhirLoadTool.HttpSender(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fhir"), "tok");

            FhirLoadTool.Result result = FhirLoadTool.drive(sender, 30, 3, 10, "h", MessageLog.NONE.phase("measured"));

            assertThat(result.statuses()).isEqualTo(Map.of(FhirLoadTool.WRONG_ANSWER, 10L, 200, 20L));
            assertThat(result.errors()).isEqualTo(10);
            assertThat(authorizations).containsExactly("Bearer tok");
        } finally {
            server.stop(0);
        }
    }

    private static FhirValidator validator() {
        ValidationSupportChain chain = new ValidationSupportChain(new DefaultProfileValidationSupport(FHIR),
                new CommonCodeSystemsTerminologyService(FHIR), new InMemoryTerminologyServerValidationSupport(FHIR),
                new SnapshotGeneratingValidationSupport(FHIR));
        FhirInstanceValidator module = new FhirInstanceValidator(chain);
        module.setAnyExtensionsAllowed(true);
        return FHIR.newValidator().registerValidatorModule(module);
    }
}
