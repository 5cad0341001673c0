package io.caduceus.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.hash.Sha256;
import io.caduceus.core.keys.DeploymentKeys;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RecordIdsTest {

    private static final MessageId MESSAGE = new MessageId(new SourceSystem("HIS", "GENERAL"), "MSG00001");

    static RecordIds ids(int fill) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) fill);
        return new RecordIds(new DeploymentKeys(secret));
    }

    /** What format 1 was: anyone could compute it from the sender's names and MSH-10. */
    private static String unkeyed(MessageId m) {
        String input = "caduceus.record-id.v1\0" + m.source().application() + "\0" + m.source().facility() + "\0"
                + m.controlId();
        return "r_" + Sha256.digest(input.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32);
    }

    @Test
    void isDeterministicPerDeploymentAndKeyed() {
        RecordId id = ids(1).forMessage(MESSAGE);
        assertThat(id.value()).matches("r2_[0-9a-f]{32}");
        assertThat(RecordId.isCurrentFormat(id.value())).isTrue();
        assertThat(id.isLegacy()).isFalse();
        assertThat(ids(1).forMessage(MESSAGE)).isEqualTo(id);
        assertThat(ids(2).forMessage(MESSAGE)).isNotEqualTo(id);
        assertThat(ids(1).forMessage(new MessageId(new SourceSystem("HIS", "GENERAL"), "MSG00002"))).isNotEqualTo(id);
    }

    @Test
    void neverProducesTheUnkeyedFormatOneId() {
        RecordId id = ids(1).forMessage(MESSAGE);
        String old = unkeyed(MESSAGE);
        assertThat(id.value()).doesNotContain(old.substring(2));
        assertThat(id.hex()).isNotEqualTo(old.substring(2));
    }

    @Test
    void candidatesAreTheCurrentIdThenTheFormatOneIdForRecordsStoredBefore() {
        assertThat(ids(1).candidates(MESSAGE)).containsExactly(ids(1).forMessage(MESSAGE), new RecordId(unkeyed(MESSAGE)));
        assertThat(new RecordId(unkeyed(MESSAGE)).isLegacy()).isTrue();
    }

    @Test
    void readsBothFormatsAndNothingElse() {
        assertThat(RecordId.isValid("r_" + "0a".repeat(16))).isTrue();
        assertThat(RecordId.isValid("r2_" + "0a".repeat(16))).isTrue();
        assertThat(RecordId.isCurrentFormat("r_" + "0a".repeat(16))).isFalse();
        assertThat(new RecordId("r2_" + "0a".repeat(16)).hex()).isEqualTo("0a".repeat(16));
        assertThat(new RecordId("r_" + "0a".repeat(16)).hex()).isEqualTo("0a".repeat(16));
        for (String bad : new String[] {"r3_" + "0a".repeat(16), "r2_" + "0A".repeat(16), "r2_" + "0a".repeat(15), "r2" + "0a".repeat(16)}) {
            assertThatThrownBy(() -> new RecordId(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
