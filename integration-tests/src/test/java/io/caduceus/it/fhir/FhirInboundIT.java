package io.caduceus.it.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.caduceus.ingest.vault.VaultRecord;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.fhir.FhirSamples;
import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.KafkaTopicReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * FHIR R4 over REST into the real devnet Kafka: accepted content is in the vault and its ledger entry on Kafka before
 * the 201/200, rejected content is answered with an OperationOutcome and quarantined, callers without a valid token
 * or scope are refused, and no patient data reaches Kafka or the logs. Reads (of FHIR and of HL7 v2 records) are
 * answered only once their access event is on Kafka, and say whether the record matches the commitment the ledger feed
 * delivered to the anchoring bridge (hardhat is there for the bridge's devnet bootstrap).
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka", "ethereum"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirInboundIT {

    /** A surname no fixture or library uses, so finding it anywhere outside the vault is a leak. */
    private static final String CANARY = "Zzyzxfhircanary";
    private static final String ISSUER = "https://auth.it.example";
    private static final String AUDIENCE = "https://caduceus.it.example/fhir";
    private static final int MAX_BYTES = 1_048_576;

    @TempDir
    static Path work;

    private InProcessMiddleware middleware;
    private KeyPair key;
    private HttpClient http;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final AtomicInteger mrn = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        key = generator.generateKeyPair();
        Path pem = work.resolve("issuer-public.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        long run = System.nanoTime();
        middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.fhir.ledger-entries." + run,
                "caduceus.kafka.topic.quarantine", "it.fhir.quarantine." + run,
                "caduceus.kafka.topic.access-events", "it.fhir.access-events." + run,
                "caduceus.anchor.devnet-bootstrap", "true",
                "caduceus.anchor.confirmations", "0",
                "caduceus.anchor.feed.poll-ms", "200",
                "caduceus.fhir.auth.issuer", ISSUER,
                "caduceus.fhir.auth.audience", AUDIENCE,
                "caduceus.fhir.auth.public-key-file", pem.toString(),
                "caduceus.fhir.max-request-bytes", String.valueOf(MAX_BYTES)));
        // HTTP/1.1: the JDK client's h2c upgrade hits netty-codec-http2 4.1.112, which this module's test classpath
        // resolves below what Vert.x needs (NoSuchMethodError); the middleware's own runtime has a matching netty.
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stop() {
        if (middleware != null) {
            middleware.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).as("log lines mentioning the canary patient").noneMatch(e -> (e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).contains(CANARY));
    }

    @Test
    void aValidPatientIsCreatedOnlyOnceDurable() throws Exception {
        String id = "MRN-" + mrn.incrementAndGet();
        HttpResponse<String> response = post("/fhir/Patient", patient(id), "application/fhir+json", token("system/Patient.write"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        String recordId = response.headers().firstValue("X-Caduceus-Record-Id").orElseThrow();
        assertThat(response.headers().firstValue("Location").orElseThrow()).startsWith("/fhir/Patient/" + new io.caduceus.core.domain.RecordId(recordId).hex() + "/_history/");
        assertThat(response.headers().firstValue("ETag")).isPresent();
        assertThat(response.headers().firstValue("Link").orElseThrow()).contains("/api/proofs/" + recordId);
        assertThat(response.headers().firstValue("Authorization")).as("the token is not echoed").isEmpty();

        Optional<VaultRecord> stored = middleware.ingest().vault().get(recordId);
        assertThat(stored).isPresent();
        assertThat(new String(stored.get().canonicalBundle(), StandardCharsets.UTF_8)).contains("\"resourceType\":\"Patient\"").contains(CANARY);

        ConsumerRecord<String, String> entry = ledgerEntry(recordId);
        LedgerEntry parsed = LedgerEntry.fromJson(entry.value());
        assertThat(parsed.messageType()).isEqualTo("fhir:Patient:create");
        assertThat(parsed.patientPseudonym()).isPresent();
        assertThat(entry.value()).doesNotContain(CANARY).doesNotContain(id);
        entry.headers().forEach(h -> assertThat(h.key()).isNotEqualToIgnoringCase("Authorization"));

        // A retry (same client, same content) is the same record, answered the same way.
        HttpResponse<String> retry = post("/fhir/Patient", patient(id), "application/fhir+json", token("system/Patient.write"));
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("X-Caduceus-Record-Id")).contains(recordId);
    }

    @Test
    void xmlInXmlOutAndUpdate() throws Exception {
        String id = "MRN-" + mrn.incrementAndGet();
        String xml = "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"px1\"/><identifier><system value=\"urn:oid:1.2.3.4\"/>"
                + "<value value=\"" + id + "\"/></identifier><name><family value=\"" + CANARY + "\"/></name></Patient>";
        HttpRequest request = HttpRequest.newBuilder(uri("/fhir/Patient/px1")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/fhir+xml").header("Accept", "application/fhir+xml")
                .header("Authorization", "Bearer " + token("user/Patient.u"))
                .PUT(HttpRequest.BodyPublishers.ofString(xml)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+xml");
        assertThat(response.body()).contains("<OperationOutcome");
        assertThat(response.headers().firstValue("Location").orElseThrow()).startsWith("/fhir/Patient/px1/_history/");
    }

    @Test
    void aTransactionOfTenResourcesIsOneRecord() throws Exception {
        String id = "MRN-" + mrn.incrementAndGet();
        HttpResponse<String> response = post("/fhir", transaction(id, 9), "application/fhir+json",
                token("system/Patient.c system/Observation.c"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"transaction-response\"").contains("201 Created");
        String recordId = response.headers().firstValue("X-Caduceus-Record-Id").orElseThrow();
        VaultRecord stored = middleware.ingest().vault().get(recordId).orElseThrow();
        assertThat(new String(stored.canonicalBundle(), StandardCharsets.UTF_8)).contains("\"type\":\"transaction\"");
        ConsumerRecord<String, String> entry = ledgerEntry(recordId);
        assertThat(LedgerEntry.fromJson(entry.value()).messageType()).isEqualTo("fhir:Bundle:transaction");
        assertThat(entry.value()).doesNotContain(CANARY).doesNotContain(id);
    }

    @Test
    void badContentIsAnsweredWithAnOperationOutcomeAndQuarantined() throws Exception {
        String token = token("system/*.write");
        String valid = patient("MRN-" + mrn.incrementAndGet());
        record Case(String path, String body, int status) {
        }
        List<Case> cases = List.of(
                new Case("/fhir/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + CANARY + "\"", 400),
                new Case("/fhir/Observation", valid, 400),
                new Case("/fhir/Patient", valid.replace("\"female\"", "\"robot\""), 422),
                new Case("/fhir/Patient", "{\"resourceType\":\"Patient\",\"extension\":" + "[".repeat(200) + "]".repeat(200) + "}", 400),
                new Case("/fhir", valid, 400),
                // An Observation pointing at a bundle entry that is not there: an invalid reference.
                new Case("/fhir", transaction("MRN-" + mrn.incrementAndGet(), 1).replace(
                        "\"subject\":{\"reference\":\"urn:uuid:6f1c0b1e-0000-4000-8000-000000000000\"}",
                        "\"subject\":{\"reference\":\"urn:uuid:6f1c0b1e-0000-4000-8000-0000000000ff\"}"), 422));
        for (Case c : cases) {
            int before = middleware.ingest().vault().listQuarantined().size();
            HttpResponse<String> response = post(c.path(), c.body(), "application/fhir+json", token);
            assertThat(response.statusCode()).as(c.path() + " " + response.body()).isEqualTo(c.status());
            assertThat(response.body()).contains("\"resourceType\":\"OperationOutcome\"").contains("\"severity\":\"error\"")
                    .contains("\"diagnostics\"").doesNotContain(CANARY).doesNotContain("robot");
            assertThat(response.headers().firstValue("X-Caduceus-Quarantine-Id")).isPresent();
            assertThat(middleware.ingest().vault().listQuarantined()).hasSize(before + 1);
        }
        HttpResponse<String> validation = post("/fhir/Patient", valid.replace("\"female\"", "\"robot\""), "application/fhir+json", token);
        assertThat(validation.body()).contains("Patient.gender");
        assertThat(post("/fhir/Patient", valid, "text/plain", token).statusCode()).isEqualTo(415);

        List<ConsumerRecord<String, String>> notices = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.quarantine"), Duration.ofSeconds(20), r -> r.size() >= cases.size());
        assertThat(notices).hasSizeGreaterThanOrEqualTo(cases.size())
                .allSatisfy(n -> assertThat(n.value()).contains("\"httpStatus\"").doesNotContain(CANARY));
        assertThat(post("/fhir/Patient", valid, "application/fhir+json", token).statusCode()).as("still serving").isEqualTo(201);
    }

    @Test
    void aHugePayloadIsRefusedWithoutBeingRead() throws Exception {
        int before = middleware.ingest().vault().listQuarantined().size();
        // Headers announcing 6 MB and only the first 64 KB of it: the answer must come without the rest being sent.
        // (A raw socket: the JDK 17 client hangs when Expect: 100-continue is answered with a final status.)
        long announced = 6L * MAX_BYTES;
        String head = "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/fhir+json\r\n"
                + "Authorization: Bearer " + token("system/*.write") + "\r\nContent-Length: " + announced + "\r\n\r\n";
        String response;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", middleware.httpPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + CANARY + "x".repeat(65_536))
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            response = readResponse(socket.getInputStream());
        }
        assertThat(response).startsWith("HTTP/1.1 413").contains("OperationOutcome").contains("too-costly").doesNotContain(CANARY);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> middleware.ingest().vault().listQuarantined().size() == before + 1);
        String id = "MRN-" + mrn.incrementAndGet();
        assertThat(post("/fhir/Patient", patient(id), "application/fhir+json", token("system/*.write")).statusCode()).as("still serving").isEqualTo(201);
    }

    @Test
    void callersWithoutAValidTokenOrScopeAreRefused() throws Exception {
        String body = patient("MRN-" + mrn.incrementAndGet());
        int before = middleware.ingest().vault().listQuarantined().size();
        HttpResponse<String> anonymous = post("/fhir/Patient", body, "application/fhir+json", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer");
        assertThat(anonymous.body()).contains("OperationOutcome").contains("login");

        Map<String, Object> expired = claims("system/*.write");
        expired.put("exp", System.currentTimeMillis() / 1000 - 3600);
        HttpResponse<String> old = post("/fhir/Patient", body, "application/fhir+json", sign(key.getPrivate(), expired));
        assertThat(old.statusCode()).isEqualTo(401);
        assertThat(old.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");

        HttpResponse<String> readOnly = post("/fhir/Patient", body, "application/fhir+json", token("system/Patient.read"));
        assertThat(readOnly.statusCode()).isEqualTo(403);
        assertThat(readOnly.body()).contains("OperationOutcome").contains("forbidden");
        assertThat(post("/fhir", transaction("MRN-X", 2), "application/fhir+json", token("system/Patient.write")).statusCode()).isEqualTo(403);
        assertThat(middleware.ingest().vault().listQuarantined()).as("refused callers are not quarantined").hasSize(before);
    }

    @Test
    void metadataDescribesWhatIsServed() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/fhir/metadata?_format=json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"CapabilityStatement\"", "\"transaction\"", "\"batch\"", "\"create\"", "\"update\"",
                "\"read\"", "Patient-everything", "SMART-on-FHIR", "<Type or *>.write", "<Type or *>.read", "application/fhir+xml");
    }

    @Test
    void throughputOfTransactionBundles() throws Exception {
        int bundles = 300;
        int threads = 8;
        String token = token("system/*.write");
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < bundles; i++) {
            bodies.add(transaction("PERF-" + System.nanoTime() + "-" + i, 9));
        }
        // One bundle first: the validator's first use of Observation definitions is not what is being measured.
        assertThat(post("/fhir", transaction("PERF-warm", 9), "application/fhir+json", token).statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        List<Future<Integer>> results = new ArrayList<>();
        for (String body : bodies) {
            results.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                int status = post("/fhir", body, "application/fhir+json", token).statusCode();
                latencies.add(System.nanoTime() - t0);
                return status;
            }));
        }
        for (Future<Integer> result : results) {
            assertThat(result.get()).isEqualTo(200);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("FHIR throughput: %d transaction bundles of 10 resources over %d threads in %.1f s = %.1f bundles/s "
                + "(%.0f resources/s); latency p50 %d ms, p99 %d ms%n", bundles, threads, seconds, bundles / seconds,
                bundles * 10 / seconds, sorted.get(sorted.size() / 2) / 1_000_000, sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1_000_000);
    }

    @Test
    void aCreatedPatientIsReadBackVerifiedAgainstTheLedgerAndTheReadIsLogged() throws Exception {
        String mrnValue = "MRN-" + mrn.incrementAndGet();
        HttpResponse<String> created = post("/fhir/Patient", patient(mrnValue), "application/fhir+json", token("system/Patient.write"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String recordId = created.headers().firstValue("X-Caduceus-Record-Id").orElseThrow();
        String id = new io.caduceus.core.domain.RecordId(recordId).hex();

        // The bridge logs the entry from Kafka within moments; until then the record is served as pending.
        HttpResponse<String> read = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> get("/fhir/Patient/" + id, token("user/Patient.read")),
                        r -> r.headers().firstValue("X-Caduceus-Integrity").orElse("").equals("verified"));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains(CANARY).contains("\"code\":\"verified\"").contains("\"id\":\"" + id + "\"");
        assertThat(read.headers().firstValue("X-Caduceus-Record-Id")).contains(recordId);

        List<ConsumerRecord<String, String>> events = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.access-events"), Duration.ofSeconds(20),
                all -> all.stream().anyMatch(r -> r.value().contains(recordId)));
        assertThat(events).anySatisfy(e -> assertThat(e.value()).contains(recordId).contains("\"interaction\":\"read\""));
        assertThat(events).allSatisfy(e -> assertThat(e.value()).doesNotContain(CANARY).doesNotContain(mrnValue).doesNotContain("it-client"));

        HttpResponse<String> everything = get("/fhir/Patient/" + id + "/$everything", token("system/*.read"));
        assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
        assertThat(everything.body()).contains("\"type\":\"searchset\"").contains(CANARY);

        assertThat(get("/fhir/Patient/" + id, token("system/Patient.write")).statusCode()).isEqualTo(403);
        assertThat(get("/fhir/Patient/" + id, null).statusCode()).isEqualTo(401);
        assertThat(get("/fhir/Patient/unknown-id", token("system/*.read")).statusCode()).isEqualTo(404);
    }

    @Test
    void aPatientSentAsHl7OverMllpIsReadAsFhir() throws Exception {
        String controlId = "FHIRREAD" + mrn.incrementAndGet();
        String adt = "MSH|^~\\&|HIS|GENERAL|CADUCEUS|HUB|20261125101500||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                + "EVN|A04|20261125101500\r"
                + "PID|1||MRN-" + controlId + "^^^GENERAL^MR||" + CANARY + "^Jane^^^^^L||19700101|F\r"
                + "PV1|1|O|CLINIC^^^GENERAL\r";
        try (io.caduceus.it.MllpClient client = middleware.mllpClient()) {
            String ack = client.send(adt);
            assertThat(io.caduceus.it.MllpClient.ackCode(ack)).as(ack).isEqualTo("AA");
        }
        String recordId = middleware.recordIdOf(controlId);
        // The Patient's id is derived from its identifiers by the mapping; read it from the stored bundle.
        org.hl7.fhir.r4.model.Bundle stored = ca.uhn.fhir.context.FhirContext.forR4Cached().newJsonParser()
                .setOverrideResourceIdWithBundleEntryFullUrl(false).parseResource(
                org.hl7.fhir.r4.model.Bundle.class, new String(middleware.ingest().vault().get(recordId).orElseThrow().canonicalBundle(),
                        StandardCharsets.UTF_8));
        String patientId = stored.getEntry().stream().map(org.hl7.fhir.r4.model.Bundle.BundleEntryComponent::getResource)
                .filter(r -> r instanceof org.hl7.fhir.r4.model.Patient).findFirst().orElseThrow().getIdElement().getIdPart();

        HttpResponse<String> read = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> get("/fhir/Patient/" + patientId, token("system/*.read")),
                        r -> r.headers().firstValue("X-Caduceus-Integrity").orElse("").equals("verified"));
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains(CANARY).contains("\"resourceType\":\"Patient\"");
        assertThat(read.headers().firstValue("X-Caduceus-Record-Id")).contains(recordId);

        HttpResponse<String> everything = get("/fhir/Patient/" + patientId + "/$everything", token("system/*.read"));
        assertThat(everything.statusCode()).as(everything.body()).isEqualTo(200);
        assertThat(everything.body()).contains("\"resourceType\":\"Encounter\"").contains("\"resourceType\":\"Provenance\"");
    }

    // --- helpers ---

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/fhir+json").GET();
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One HTTP/1.1 response with a Content-Length, read without waiting for the connection to close. */
    private static String readResponse(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(headers);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return headers + new String(body, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String path, String body, String contentType, String token) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + middleware.httpPort() + path);
    }

    private String bootstrap() {
        return Devnet.property("kafka.bootstrap.servers");
    }

    private ConsumerRecord<String, String> ledgerEntry(String recordId) {
        List<ConsumerRecord<String, String>> records = KafkaTopicReader.readAll(bootstrap(),
                middleware.property("caduceus.kafka.topic.ledger-entries"), Duration.ofSeconds(20),
                all -> all.stream().anyMatch(r -> r.key().equals(recordId)));
        return records.stream().filter(r -> r.key().equals(recordId)).findFirst()
                .orElseThrow(() -> new AssertionError("no ledger entry on Kafka for " + recordId));
    }

    private String token(String scope) {
        return sign(key.getPrivate(), claims(scope));
    }

    private static Map<String, Object> claims(String scope) {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put("client_id", "it-client");
        claims.put("exp", now + 3600);
        claims.put("scope", scope);
        return claims;
    }

    private static String sign(PrivateKey key, Map<String, Object> claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(CanonicalJson.write(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + b64.encodeToString(signature.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String patient(String mrn) {
        return FhirSamples.patient(mrn, CANARY);
    }

    private static String transaction(String mrn, int observations) {
        return FhirSamples.transaction(mrn, observations, CANARY);
    }
}
