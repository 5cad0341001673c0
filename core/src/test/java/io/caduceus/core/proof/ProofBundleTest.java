package io.caduceus.core.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.proof.ProofCheck.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProofBundleTest {

    private static final String RECORD = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[]}";

    private static ProofBundle bundle() {
        Salt salt = Salt.fromHex("11".repeat(32));
        Digest commitment = HidingCommitments.commit(salt, CanonicalJson.canonicalize(RECORD));
        MerkleLog log = MerkleLogs.inMemory();
        for (int i = 0; i < 10; i++) {
            log.append(i == 6 ? commitment.toBytes() : new byte[] {(byte) i});
        }
        Digest root = log.root(10);
        AnchorReceipt anchor = new AnchorReceipt(31337, "0x" + "ab".repeat(20), "0x" + "cd".repeat(32), 42,
                Instant.parse("2026-11-25T12:00:00Z"), root, 10, "caduceus", 17);
        return new ProofBundle(new RecordId("r2_" + commitment.hex().substring(0, 32)), commitment, Optional.of(salt), log.inclusionProof(6, 10), root,
                Optional.of(anchor));
    }

    @Test
    void roundTripsThroughItsJsonFormat() {
        ProofBundle bundle = bundle();
        String json = bundle.toJson();
        assertThat(json).contains("\"format\":\"caduceus.proof.v1\"").contains("\"auditPath\":[");
        assertThat(ProofBundle.fromJson(json)).isEqualTo(bundle);
        assertThat(ProofBundle.fromJson(json).toJson()).isEqualTo(json);
    }

    @Test
    void anHonestBundleAndRecordPassEveryOffChainCheck() {
        List<ProofCheck> checks = OffChainProofVerifier.verify(bundle(), Optional.of(RECORD));
        assertThat(checks).extracting(ProofCheck::outcome).containsOnly(Outcome.PASSED);
        // Reformatting the record does not matter: it is canonicalized before hashing.
        String reformatted = "{ \"type\" : \"collection\", \"entry\" : [ ], \"resourceType\" : \"Bundle\" }";
        assertThat(OffChainProofVerifier.verify(bundle(), Optional.of(reformatted))).extracting(ProofCheck::outcome).containsOnly(Outcome.PASSED);
    }

    @Test
    void anyTamperingFailsACheck() {
        ProofBundle honest = bundle();
        assertFails(honest, Optional.of(RECORD.replace("collection", "document")));
        Digest wrongRoot = honest.inclusion().auditPath().get(0);
        assertFails(new ProofBundle(honest.recordId(), honest.commitment(), honest.salt(), honest.inclusion(), wrongRoot, honest.anchor()),
                Optional.of(RECORD));
        var path = new java.util.ArrayList<>(honest.inclusion().auditPath());
        path.set(1, path.get(0));
        assertFails(new ProofBundle(honest.recordId(), honest.commitment(), honest.salt(),
                new io.caduceus.core.merkle.InclusionProof(6, 10, path), honest.root(), honest.anchor()), Optional.of(RECORD));
        assertFails(new ProofBundle(honest.recordId(), honest.commitment(), honest.salt(),
                new io.caduceus.core.merkle.InclusionProof(5, 10, honest.inclusion().auditPath()), honest.root(), honest.anchor()),
                Optional.of(RECORD));
    }

    @Test
    void rejectsUnknownFormatsAndMalformedFields() {
        String json = bundle().toJson();
        assertThatThrownBy(() -> ProofBundle.fromJson(json.replace("caduceus.proof.v1", "caduceus.proof.v9")))
                .isInstanceOf(JsonException.class).hasMessageContaining("unsupported proof format");
        assertThatThrownBy(() -> ProofBundle.fromJson(json.replace("\"index\":6", "\"index\":-6"))).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> ProofBundle.fromJson(json.replace("\"index\":6", "\"index\":60"))).isInstanceOf(JsonException.class);
    }

    private static void assertFails(ProofBundle bundle, Optional<String> record) {
        assertThat(OffChainProofVerifier.verify(bundle, record)).extracting(ProofCheck::outcome).contains(Outcome.FAILED);
    }
}
