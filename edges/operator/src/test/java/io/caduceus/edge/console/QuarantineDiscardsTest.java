package io.caduceus.edge.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.adapters.vault.FileRecordVault;
import io.caduceus.adapters.vault.MasterKey;
import io.caduceus.ingest.vault.RecordVault;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.edge.access.ApiAccess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineDiscardsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T15:00:00Z");
    private static final String MESSAGE = "MSH|^~\\&|LAB|NORTH|CAD|HOSP|20261207||ORU^R01|Q-1|P|2.5\rPID|1||MRN-7^^^H||Müller^Anna\r";

    @TempDir
    Path dir;

    private RecordVault vault;
    private final CamelContext camel = new DefaultCamelContext();

    @BeforeEach
    void open() {
        vault = FileRecordVault.open(dir.resolve("vault"), MasterKey.of(new SecureRandom().generateSeed(32)));
    }

    @AfterEach
    void close() {
        vault.close();
    }

    @Test
    void aDiscardRecordsItsReasonKeepsTheBytesAndSurvivesARestart() throws Exception {
        String id = vault.quarantine("LAB^NORTH^Q-1", "AE 207: PID-7 invalid",
                MESSAGE.getBytes(StandardCharsets.UTF_8), NOW).quarantineId();
        String other = vault.quarantine("LAB^NORTH^Q-2", "AE 205", "MSH|x".getBytes(StandardCharsets.UTF_8), NOW)
                .quarantineId();
        QuarantineDiscards discards = new QuarantineDiscards(() -> vault, dir, Clock.fixed(NOW, ZoneOffset.UTC));

        Exchange discard = post(id, "{\"reason\":\"duplicate of Q-1b,\\nsent twice\"}");
        discards.discard(discard);
        assertThat(status(discard)).isEqualTo(200);
        Map<?, ?> answer = (Map<?, ?>) CanonicalJson.parse(discard.getMessage().getBody(String.class));
        assertThat(answer.get("reason")).as("control characters cannot forge register lines").isEqualTo("duplicate of Q-1b, sent twice");
        assertThat(answer.get("discardedBy")).isEqualTo("ops-1");
        assertThat(answer.get("kept")).isEqualTo(true);
        assertThat(vault.getQuarantined(id)).as("the bytes are kept").get()
                .satisfies(m -> assertThat(m.originalBytes()).isEqualTo(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        Path register = dir.resolve(QuarantineDiscards.FILE);
        assertThat(Files.readAllLines(register)).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(register))).isEqualTo("rw-------");

        Exchange again = post(id, "{\"reason\":\"twice\"}");
        discards.discard(again);
        assertThat(status(again)).isEqualTo(409);

        // A crash in the middle of a later discard leaves half a line: that discard was never answered.
        Files.writeString(register, "{\"quarantineId\":\"" + other + "\",\"rea", java.nio.file.StandardOpenOption.APPEND);
        QuarantineDiscards restarted = new QuarantineDiscards(() -> vault, dir, Clock.systemUTC());
        assertThat(restarted.discardOf(id)).get().satisfies(d -> {
            assertThat(d.reason()).isEqualTo("duplicate of Q-1b, sent twice");
            assertThat(d.at()).isEqualTo(NOW);
        });
        assertThat(restarted.isDiscarded(other)).isFalse();
        Exchange later = post(other, "{\"reason\":\"test message\"}");
        restarted.discard(later);
        assertThat(status(later)).isEqualTo(200);
        assertThat(new QuarantineDiscards(() -> vault, dir, Clock.systemUTC()).isDiscarded(other))
                .as("a discard after the cut line is read back whole").isTrue();

        Exchange reprocess = post(id, "");
        restarted.refuseIfDiscarded(reprocess);
        assertThat(status(reprocess)).as("a discarded message is not reprocessed").isEqualTo(409);
        assertThat(reprocess.isRouteStop()).isTrue();
        Exchange reprocessOther = post("waiting-1", "");
        restarted.refuseIfDiscarded(reprocessOther);
        assertThat(reprocessOther.isRouteStop()).isFalse();

        Exchange listing = new DefaultExchange(camel);
        listing.getMessage().setBody(CanonicalJson.write(Map.of("quarantined", List.of(
                Map.of("quarantineId", id, "reason", "AE 207"), Map.of("quarantineId", other, "reason", "AE 205"),
                Map.of("quarantineId", "waiting-1", "reason", "AE 205")))));
        restarted.annotate(listing);
        Map<?, ?> annotated = (Map<?, ?>) CanonicalJson.parse(listing.getMessage().getBody(String.class));
        assertThat((List<?>) annotated.get("quarantined")).as("the one still waiting").hasSize(1).first()
                .satisfies(q -> assertThat(((Map<?, ?>) q).get("quarantineId")).isEqualTo("waiting-1"));
        assertThat((List<?>) annotated.get("discarded")).hasSize(2).first()
                .satisfies(q -> assertThat(((Map<?, ?>) ((Map<?, ?>) q).get("discard")).get("reason"))
                        .isEqualTo("duplicate of Q-1b, sent twice"));
    }

    @Test
    void aDiscardNeedsAReasonAndAnExistingMessage() {
        String id = vault.quarantine("LAB^NORTH^Q-3", "AE", "MSH|x".getBytes(StandardCharsets.UTF_8), NOW).quarantineId();
        QuarantineDiscards discards = new QuarantineDiscards(() -> vault, dir, Clock.systemUTC());
        for (String body : new String[] {"", "{}", "{\"reason\":\"  \"}", "{\"reason\":7}", "not json",
                "{\"reason\":\"" + "x".repeat(QuarantineDiscards.MAX_REASON + 1) + "\"}"}) {
            Exchange e = post(id, body);
            discards.discard(e);
            assertThat(status(e)).as(body).isEqualTo(400);
        }
        Exchange unknown = post("00000000-0000-0000-0000-000000000000", "{\"reason\":\"gone\"}");
        discards.discard(unknown);
        assertThat(status(unknown)).isEqualTo(404);
        assertThat(discards.isDiscarded(id)).isFalse();
        assertThat(Files.exists(dir.resolve(QuarantineDiscards.FILE))).isFalse();
    }

    @Test
    void contentIsTheDecryptedMessageAsText() {
        String id = vault.quarantine("LAB^NORTH^Q-1", "AE 207", MESSAGE.getBytes(StandardCharsets.UTF_8), NOW).quarantineId();
        QuarantineDiscards discards = new QuarantineDiscards(() -> vault, dir, Clock.systemUTC());
        Exchange e = post(id, "");
        discards.content(e);
        assertThat(status(e)).isEqualTo(200);
        assertThat(((Map<?, ?>) CanonicalJson.parse(e.getMessage().getBody(String.class))).get("content")).isEqualTo(MESSAGE);
        assertThat(e.getMessage().getHeader("Cache-Control")).isEqualTo("no-store");
        assertThat(QuarantineDiscards.text(new byte[] {'A', (byte) 0xE9})).as("ISO-8859-1 when not UTF-8").isEqualTo("Aé");
    }

    private Exchange post(String id, String body) {
        Exchange e = new DefaultExchange(camel);
        e.getMessage().setHeader("id", id);
        e.getMessage().setBody(body);
        e.setProperty(ApiAccess.CALLER_ID, "ops-1");
        return e;
    }

    private static int status(Exchange e) {
        return e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }
}
