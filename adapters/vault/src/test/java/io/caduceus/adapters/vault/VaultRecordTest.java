package io.caduceus.adapters.vault;

import io.caduceus.ingest.vault.VaultRecord;
import static io.caduceus.adapters.vault.TestRecords.FAKE_NAME;
import static io.caduceus.adapters.vault.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class VaultRecordTest {

    @Test
    void toStringShowsIdAndSizesOnly() {
        VaultRecord r = record("rec-1", "pat-A");
        assertThat(r.toString())
                .contains("rec-1")
                .contains("bundleBytes=" + r.canonicalBundle().length)
                .doesNotContain(FAKE_NAME)
                .doesNotContain("Quillfeather")
                .doesNotContain("Bundle\"");
    }

    @Test
    void equalityIsByContentAndArraysAreCopied() {
        VaultRecord r = record("rec-1", "pat-A");
        byte[] bundle = r.canonicalBundle();
        bundle[0] = 'X';
        assertThat(r.canonicalBundle()[0]).isEqualTo((byte) '{');
        VaultRecord same = new VaultRecord("rec-1", "pat-A", r.salt(), r.contentType(), r.canonicalBundle(), r.originalMessage(), r.receivedAt());
        assertThat(same).isEqualTo(r).hasSameHashCodeAs(r);
        VaultRecord otherSalt = new VaultRecord("rec-1", "pat-A", TestRecords.salt(), r.contentType(), r.canonicalBundle(), r.originalMessage(), r.receivedAt());
        assertThat(otherSalt).isNotEqualTo(r);
    }

    @Test
    void validationMessagesDoNotEchoContent() {
        assertThatThrownBy(() -> new VaultRecord("rec-1", "pat-A", new byte[5], "x", FAKE_NAME.getBytes(), new byte[0], Instant.now()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("salt")
                .hasMessageNotContaining(FAKE_NAME);
        assertThatThrownBy(() -> new VaultRecord(" ", "pat-A", TestRecords.salt(), "x", new byte[0], new byte[0], Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
