package io.caduceus.it.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.it.Devnet;
import io.caduceus.it.DevnetExtension;
import io.caduceus.it.DevnetServices;
import io.caduceus.it.InProcessMiddleware;
import io.caduceus.it.MllpClient;
import io.caduceus.it.TestIssuer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed and randomly mutated messages: the listener never dies, every message is answered, every
 * AE or AR is quarantined, and the quarantine can be listed and reprocessed.
 */
@ExtendWith(DevnetExtension.class)
@DevnetServices({"kafka"})
class MalformedInputIT {

    private static final int MUTANTS = 3_000;

    @TempDir
    Path work;

    @Test
    void mutatedMessagesAreAllAnsweredAndEveryRejectionIsQuarantined() throws Exception {
        List<byte[]> seeds = seeds();
        SplittableRandom random = new SplittableRandom(20261125);
        Map<String, Integer> codes = new TreeMap<>();
        try (InProcessMiddleware middleware = InProcessMiddleware.start(work, Map.of(
                "caduceus.kafka.topic.ledger-entries", "it.fuzz.ledger-entries." + System.nanoTime(),
                "caduceus.kafka.topic.quarantine", "it.fuzz.quarantine." + System.nanoTime()))) {
            int quarantinedBefore = middleware.ingest().vault().listQuarantined().size();
            MllpClient client = middleware.mllpClient();
            for (int i = 0; i < MUTANTS; i++) {
                byte[] mutant = mutate(seeds.get(random.nextInt(seeds.size())), random, i);
                client.writeRaw(MllpClient.frame(mutant));
                Optional<String> ack = client.readAck();
                if (ack.isEmpty()) {
                    // The only legitimate silence: enhanced mode asked for none. Anything else is a lost answer.
                    assertThat(new String(mutant, StandardCharsets.ISO_8859_1)).as("message %d got no acknowledgement", i)
                            .containsPattern("\\|(NE|ER|SU)\\|");
                    client.close();
                    client = middleware.mllpClient();
                    codes.merge("none", 1, Integer::sum);
                    continue;
                }
                codes.merge(MllpClient.ackCode(ack.get()), 1, Integer::sum);
            }
            client.close();
            System.out.println("MalformedInputIT: " + MUTANTS + " mutated messages, acknowledgement codes " + codes);
            int rejected = codes.getOrDefault("AE", 0) + codes.getOrDefault("AR", 0) + codes.getOrDefault("CE", 0) + codes.getOrDefault("CR", 0);
            assertThat(rejected).as("most mutants are malformed").isGreaterThan(MUTANTS / 3);
            assertThat(middleware.ingest().vault().listQuarantined().size() - quarantinedBefore)
                    .as("every AE/AR is quarantined").isEqualTo(rejected);
            try (MllpClient after = middleware.mllpClient()) {
                assertThat(MllpClient.ackCode(after.send(Hl7MllpIngestIT.adt("STILL-ALIVE", "Doe")))).isEqualTo("AA");
            }

            // Operators can list the quarantine and reprocess an entry; rejected again, it stays one entry.
            // HTTP/1.1: the JDK client's default h2c upgrade stalls on larger responses from the Vert.x server.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + middleware.httpPort();
            String listing = http.send(TestIssuer.asOperator(HttpRequest.newBuilder(URI.create(base + "/api/quarantine"))).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(listing).contains("\"quarantineId\"").contains("\"reason\"");
            String id = middleware.ingest().vault().listQuarantined().get(0).quarantineId();
            HttpResponse<String> reprocessed = http.send(TestIssuer.asOperator(HttpRequest.newBuilder(URI.create(base + "/api/quarantine/" + id + "/reprocess")))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reprocessed.statusCode()).as(reprocessed.body()).isEqualTo(422);
            assertThat(reprocessed.body()).contains("\"released\":false");
            assertThat(middleware.ingest().vault().listQuarantined().size() - quarantinedBefore).isEqualTo(rejected);
        }
    }

    private static List<byte[]> seeds() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        try (Stream<Path> files = Files.list(Devnet.repoDir().resolve("hl7-mappings/src/test/resources/fixtures"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".hl7")).sorted().toList()) {
                // Original mode, so that every message must be answered.
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).replaceAll("\\|(AL|NE|ER|SU)\\|(AL|NE|ER|SU)", "||");
                seeds.add(text.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        seeds.add(Hl7MllpIngestIT.adt("SEED", "Doe").getBytes(StandardCharsets.ISO_8859_1));
        return seeds;
    }

    /** Byte flips, deletions, insertions, truncations, shuffled segments and pure noise; each with its own control id. */
    static byte[] mutate(byte[] seed, SplittableRandom random, int n) {
        String text = new String(seed, StandardCharsets.ISO_8859_1);
        text = text.replaceFirst("(MSH\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|[^|]*\\|)[^|]*", "$1FUZZ-" + n);
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        int kind = random.nextInt(6);
        byte[] out;
        switch (kind) {
            case 0 -> { // flip a few bytes
                out = bytes.clone();
                for (int k = 0; k < 1 + random.nextInt(8); k++) {
                    out[random.nextInt(out.length)] = (byte) random.nextInt(256);
                }
            }
            case 1 -> out = java.util.Arrays.copyOf(bytes, random.nextInt(1, bytes.length)); // truncate
            case 2 -> { // delete a span
                int at = random.nextInt(bytes.length);
                int len = Math.min(bytes.length - at, 1 + random.nextInt(40));
                out = new byte[bytes.length - len];
                System.arraycopy(bytes, 0, out, 0, at);
                System.arraycopy(bytes, at + len, out, at, bytes.length - at - len);
            }
            case 3 -> { // insert delimiters and escapes where they do not belong
                String insert = List.of("|", "^^^", "~", "\\", "&", "\r", "\\X0\\", "\\Zxyz\\", "\u00ff\u00fe").get(random.nextInt(9));
                int at = random.nextInt(text.length());
                out = (text.substring(0, at) + insert + text.substring(at)).getBytes(StandardCharsets.ISO_8859_1);
            }
            case 4 -> { // shuffle segments, keeping MSH first half of the time
                List<String> segments = new ArrayList<>(List.of(text.split("[\r\n]+")));
                String msh = segments.remove(0);
                java.util.Collections.shuffle(segments, new java.util.Random(random.nextLong()));
                if (random.nextBoolean()) {
                    segments.add(0, msh);
                } else {
                    segments.add(random.nextInt(segments.size() + 1), msh);
                }
                out = String.join("\r", segments).getBytes(StandardCharsets.ISO_8859_1);
            }
            default -> { // noise
                out = new byte[1 + random.nextInt(300)];
                for (int k = 0; k < out.length; k++) {
                    out[k] = (byte) random.nextInt(256);
                }
            }
        }
        // MLLP's block characters cannot appear inside a frame; a sender never puts them there.
        for (int k = 0; k < out.length; k++) {
            if (out[k] == 0x0b || out[k] == 0x1c) {
                out[k] = '?';
            }
        }
        return out;
    }
}
