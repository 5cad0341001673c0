package io.caduceus.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.pseudonym.PatientPseudonym;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Core's side of the fixtures the chaincode is held to (resources io/caduceus/core/formats/README.md). */
class SharedFormatFixturesTest {

    static Stream<String> ledgerEntries() {
        return lines("ledger-entries.jsonl").stream();
    }

    static Stream<String> anchorReceipts() {
        return lines("anchor-receipts.jsonl").stream();
    }

    @ParameterizedTest
    @MethodSource("ledgerEntries")
    void aLedgerEntryReadsAndWritesBackToTheSameBytes(String line) {
        assertThat(LedgerEntry.fromJson(line).toJson()).isEqualTo(line);
        assertThat(CanonicalJson.write(CanonicalJson.parse(line))).as("the line is canonical").isEqualTo(line);
    }

    @ParameterizedTest
    @MethodSource("anchorReceipts")
    void anAnchorReceiptReadsAndWritesBackToTheSameBytes(String line) {
        Map<?, ?> map = (Map<?, ?>) CanonicalJson.parse(line);
        assertThat(AnchorReceipt.fromJsonMap(map).toJson()).isEqualTo(line);
    }

    @Test
    void theFirstFixturesAreWhatCoreWritesForKnownValues() {
        // Pins the files to the domain types, so a fixture edited by hand to match a changed chaincode is caught.
        LedgerEntry entry = new LedgerEntry(new RecordId("r2_0123456789abcdef0123456789abcdef"),
                Digest.fromHex("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), "ADT^A01",
                SourceSystem.parse("HIS^GENERAL"), Instant.parse("2026-12-07T15:30:00.123Z"),
                Optional.of(new PatientPseudonym("pp1_" + "ab".repeat(32))));
        assertThat(lines("ledger-entries.jsonl").get(0)).isEqualTo(entry.toJson());
        AnchorReceipt receipt = new AnchorReceipt(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "0x" + "Ab".repeat(32), 54, Instant.parse("2026-12-07T15:30:01Z"),
                Digest.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), 1, "caduceus", 4);
        assertThat(lines("anchor-receipts.jsonl").get(0)).isEqualTo(receipt.toJson());
    }

    @Test
    void theFixturesCoverWhatCanonicalJsonEscapes() {
        // Non-ASCII is written raw, quotes and backslashes escaped: the cases where two writers drift first.
        assertThat(String.join("\n", lines("ledger-entries.jsonl"))).contains("Ü", "€", "\\\"", "\\\\")
                .contains("\"patientPseudonym\"").containsPattern("\\{(?![^}]*patientPseudonym)[^}]*\\}");
    }

    private static List<String> lines(String name) {
        try (var in = SharedFormatFixturesTest.class.getResourceAsStream("/io/caduceus/core/formats/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
