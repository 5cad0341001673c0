package io.caduceus.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaincode's own ledger-entry and anchor-receipt formats against core's bytes: the chaincode cannot depend on
 * core, so the two are held together by the same fixture files (core/src/test/resources/io/caduceus/core/formats).
 */
class CoreFormatFixturesTest {

    private static final Path FIXTURES = Path.of("..", "core", "src", "test", "resources", "io", "caduceus", "core",
            "formats");

    static Stream<String> ledgerEntries() throws IOException {
        return lines("ledger-entries.jsonl").stream();
    }

    static Stream<String> anchorReceipts() throws IOException {
        return lines("anchor-receipts.jsonl").stream();
    }

    @ParameterizedTest
    @MethodSource("ledgerEntries")
    void aLedgerEntryOfCoreIsStoredAsTheSameBytes(String line) {
        assertThat(LedgerEntry.fromJson(line).toJson()).isEqualTo(line);
    }

    @ParameterizedTest
    @MethodSource("anchorReceipts")
    void anAnchorReceiptOfCoreIsStoredAsTheSameBytes(String line) {
        assertThat(AnchorReceipt.fromJson(line).toJson()).isEqualTo(line);
    }

    @ParameterizedTest
    @MethodSource("anchorReceipts")
    void upperCaseHexIsStoredAsCoreWritesIt(String line) {
        // Core lowers addresses and hashes on construction; the chaincode must reach the same bytes from any spelling.
        int start = line.indexOf("\"contract\":\"0x") + "\"contract\":\"0x".length();
        String contract = line.substring(start, start + 40);
        String upper = line.replace(contract, contract.toUpperCase(Locale.ROOT).replace("0X", "0x"))
                .replace("\"transactionHash\":\"0xab", "\"transactionHash\":\"0xAB");
        assertThat(AnchorReceipt.fromJson(upper).toJson()).isEqualTo(line);
    }

    private static List<String> lines(String name) throws IOException {
        return Files.readString(FIXTURES.resolve(name), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank())
                .toList();
    }
}
