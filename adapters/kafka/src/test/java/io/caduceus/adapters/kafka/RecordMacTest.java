package io.caduceus.adapters.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.adapters.kafka.RecordMac.Stream;
import io.caduceus.adapters.kafka.RecordMac.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class RecordMacTest {

    private static final byte[] KEY = filled(1);
    private static final byte[] OTHER_KEY = filled(2);
    private static final byte[] ENTRY = "{\"recordId\":\"r_0123\",\"commitment\":\"ab\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRecordAuthenticatedByTheWriterVerifies() {
        RecordMac mac = RecordMac.withKeys(KEY, List.of());
        byte[] header = mac.header(Stream.LEDGER_ENTRIES, ENTRY);

        assertThat(new String(header, StandardCharsets.US_ASCII)).matches(mac.keyId() + ":[0-9a-f]{64}");
        assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, header)).isEqualTo(Verdict.VALID);
        RecordHeaders headers = new RecordHeaders();
        headers.add(RecordMac.HEADER, header);
        assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, headers)).isEqualTo(Verdict.VALID);
    }

    @Test
    void oneChangedByteOfTheValueIsAMismatch() {
        RecordMac mac = RecordMac.withKeys(KEY, List.of());
        byte[] header = mac.header(Stream.LEDGER_ENTRIES, ENTRY);
        byte[] changed = ENTRY.clone();
        changed[changed.length - 3] ^= 1;

        assertThat(mac.verify(Stream.LEDGER_ENTRIES, changed, header)).isEqualTo(Verdict.MISMATCH);
        assertThat(mac.verify(Stream.LEDGER_ENTRIES, null, header)).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void aMacMadeWithAnotherKeyUnderTheSameKeyIdIsAMismatch() {
        RecordMac writer = RecordMac.withKeys(KEY, List.of());
        RecordMac stranger = RecordMac.withKeys(OTHER_KEY, List.of());
        String forged = writer.keyId() + ":" + new String(stranger.header(Stream.LEDGER_ENTRIES, ENTRY),
                StandardCharsets.US_ASCII).split(":")[1];

        assertThat(writer.verify(Stream.LEDGER_ENTRIES, ENTRY, forged.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(Verdict.MISMATCH);
        assertThat(writer.verify(Stream.LEDGER_ENTRIES, ENTRY, stranger.header(Stream.LEDGER_ENTRIES, ENTRY)))
                .isEqualTo(Verdict.UNKNOWN_KEY);
    }

    @Test
    void aRecordAuthenticatedForOneStreamIsNotAuthenticOnAnother() {
        RecordMac mac = RecordMac.withKeys(KEY, List.of());
        byte[] header = mac.header(Stream.ACCESS_EVENTS, ENTRY);

        assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, header)).isEqualTo(Verdict.MISMATCH);
    }

    @Test
    void missingAndMalformedHeadersAreRefused() {
        RecordMac mac = RecordMac.withKeys(KEY, List.of());
        String good = new String(mac.header(Stream.LEDGER_ENTRIES, ENTRY), StandardCharsets.US_ASCII);

        assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, (byte[]) null)).isEqualTo(Verdict.MISSING);
        assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, new RecordHeaders())).isEqualTo(Verdict.MISSING);
        for (String bad : List.of("", ":", good.substring(0, good.length() - 1), good.replace(':', '-'),
                good.substring(0, good.length() - 1) + "g", ":" + good.split(":")[1])) {
            assertThat(mac.verify(Stream.LEDGER_ENTRIES, ENTRY, bad.getBytes(StandardCharsets.US_ASCII)))
                    .as(bad).isEqualTo(Verdict.MALFORMED);
        }
    }

    @Test
    void afterARotationRecordsUnderThePreviousKeyStillVerifyAndNewOnesUseTheNewKey() {
        RecordMac before = RecordMac.withKeys(KEY, List.of());
        byte[] old = before.header(Stream.LEDGER_ENTRIES, ENTRY);
        RecordMac after = RecordMac.withKeys(OTHER_KEY, List.of(KEY));

        assertThat(after.keyId()).isNotEqualTo(before.keyId());
        assertThat(after.verify(Stream.LEDGER_ENTRIES, ENTRY, old)).isEqualTo(Verdict.VALID);
        assertThat(new String(after.header(Stream.LEDGER_ENTRIES, ENTRY), StandardCharsets.US_ASCII))
                .startsWith(after.keyId() + ":");
        assertThat(RecordMac.withKeys(OTHER_KEY, List.of()).verify(Stream.LEDGER_ENTRIES, ENTRY, old))
                .as("a key dropped from the previous keys is no longer accepted").isEqualTo(Verdict.UNKNOWN_KEY);
    }

    @Test
    void theDerivedKeyDependsOnTheSecretAndIsNotTheSecret() {
        byte[] derived = RecordMac.deriveKey(KEY);

        assertThat(derived).hasSize(32).isNotEqualTo(KEY);
        assertThat(RecordMac.deriveKey(KEY)).isEqualTo(derived);
        assertThat(RecordMac.deriveKey(OTHER_KEY)).isNotEqualTo(derived);
        assertThat(RecordMac.withKeys(derived, List.of()).keyId()).isNotEqualTo(RecordMac.withKeys(KEY, List.of()).keyId());
    }

    @Test
    void shortKeysAreRefusedAndNoKeyMaterialIsShown() {
        assertThatThrownBy(() -> RecordMac.withKeys(new byte[31], List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordMac.withKeys(KEY, List.of(new byte[8]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordMac.deriveKey(new byte[16])).isInstanceOf(IllegalArgumentException.class);
        RecordMac mac = RecordMac.withKeys(KEY, List.of(OTHER_KEY));
        assertThat(mac.toString()).contains(mac.keyId()).contains("2 accepted").doesNotContain("0101");
    }

    private static byte[] filled(int b) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) b);
        return key;
    }
}
