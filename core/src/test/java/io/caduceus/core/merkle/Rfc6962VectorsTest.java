package io.caduceus.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Hex;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Certificate Transparency reference vectors (RFC 6962 leaves, roots and proofs as published with the CT and
 * Trillian code): a log that disagrees with them proves nothing to anyone running another implementation.
 */
class Rfc6962VectorsTest {

    static final List<String> LEAVES = List.of("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f");

    static final List<String> ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    static MerkleLog referenceLog() {
        MerkleLog log = MerkleLogs.inMemory();
        LEAVES.forEach(leaf -> log.append(Hex.decode(leaf)));
        return log;
    }

    @Test
    void rootsOfEverySizeMatch() {
        MerkleLog log = referenceLog();
        for (int size = 0; size <= LEAVES.size(); size++) {
            assertThat(log.root(size).hex()).as("root of size %d", size).isEqualTo(ROOTS.get(size));
        }
    }

    @Test
    void inclusionProofsMatch() {
        MerkleLog log = referenceLog();
        assertProof(log.inclusionProof(0, 8).auditPath(),
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertProof(log.inclusionProof(5, 8).auditPath(),
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertProof(log.inclusionProof(0, 1).auditPath());
    }

    @Test
    void consistencyProofsMatch() {
        MerkleLog log = referenceLog();
        assertProof(log.consistencyProof(1, 1).path());
        assertProof(log.consistencyProof(2, 8).path(),
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertProof(log.consistencyProof(6, 8).path(),
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertProof(log.consistencyProof(2, 5).path(),
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void publishedProofsVerifyAgainstPublishedRoots(int first) {
        MerkleLog log = referenceLog();
        ConsistencyProof proof = log.consistencyProof(first, 8);
        assertThat(MerkleProofs.verifyConsistency(proof, Digest.fromHex(ROOTS.get(first)), Digest.fromHex(ROOTS.get(8)))).isTrue();
        for (int leaf = 0; leaf < 8; leaf++) {
            InclusionProof inclusion = log.inclusionProof(leaf, 8);
            assertThat(MerkleProofs.verifyInclusion(log.leafHash(leaf), inclusion, Digest.fromHex(ROOTS.get(8)))).isTrue();
        }
    }

    private static void assertProof(List<Digest> actual, String... expected) {
        assertThat(actual.stream().map(Digest::hex).toList()).containsExactly(expected);
    }
}
