package io.caduceus.core.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMerkleLogTest {

    @TempDir
    Path dir;

    private static byte[] leaf(long i) {
        return new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16), 7};
    }

    @Test
    void agreesWithTheInMemoryLogAcrossWriteBufferBoundaries() {
        MerkleLog memory = MerkleLogs.inMemory();
        try (MerkleLog file = MerkleLogs.open(dir)) {
            for (long i = 0; i < 10_000; i++) {
                memory.append(leaf(i));
                file.append(leaf(i));
            }
            for (long size : new long[] {1, 2, 2047, 2048, 2049, 4097, 9_999, 10_000}) {
                assertThat(file.root(size)).isEqualTo(memory.root(size));
                assertThat(file.inclusionProof(size / 3, size)).isEqualTo(memory.inclusionProof(size / 3, size));
                assertThat(file.consistencyProof(size / 2, size)).isEqualTo(memory.consistencyProof(size / 2, size));
            }
        }
    }

    @Test
    void reopensAtTheLastFlushAndForgetsUnflushedAppends() {
        try (MerkleLog log = MerkleLogs.open(dir)) {
            for (long i = 0; i < 5_000; i++) {
                log.append(leaf(i));
            }
            log.flush();
            for (long i = 5_000; i < 7_500; i++) {
                log.append(leaf(i));
            }
        }
        MerkleLog reference = MerkleLogs.inMemory();
        for (long i = 0; i < 5_000; i++) {
            reference.append(leaf(i));
        }
        try (MerkleLog reopened = MerkleLogs.open(dir)) {
            assertThat(reopened.size()).isEqualTo(5_000);
            assertThat(reopened.root(5_000)).isEqualTo(reference.root(5_000));
            reopened.append(leaf(5_000));
            reference.append(leaf(5_000));
            assertThat(reopened.head()).isEqualTo(reference.head());
        }
    }

    @Test
    void refusesToOpenWhenAHashOnTheRootsPathWasAltered() throws IOException {
        writeHundredLeaves();
        flipByte(dir.resolve("level-06.hashes"), 5); // the complete subtree of leaves 0..63
        assertThatThrownBy(() -> MerkleLogs.open(dir)).isInstanceOf(MerkleLogCorruptedException.class);
    }

    @Test
    void fullVerificationFindsAnAlteredLeafHash() throws IOException {
        writeHundredLeaves();
        flipByte(dir.resolve("level-00.hashes"), 32 * 99 + 5);
        try (MerkleLog log = MerkleLogs.open(dir)) {
            assertThatThrownBy(log::verifyIntegrity).isInstanceOf(MerkleLogCorruptedException.class)
                    .hasMessageContaining("level 1");
        }
    }

    @Test
    void fullVerificationPassesOnAnIntactLog() {
        writeHundredLeaves();
        try (MerkleLog log = MerkleLogs.open(dir)) {
            log.verifyIntegrity();
            assertThat(log.size()).isEqualTo(100);
        }
    }

    private void writeHundredLeaves() {
        try (MerkleLog log = MerkleLogs.open(dir)) {
            for (long i = 0; i < 100; i++) {
                log.append(leaf(i));
            }
            log.flush();
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }

    @Test
    void refusesToOpenWhenCheckpointedHashesAreMissing() throws IOException {
        writeHundredLeaves();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve("level-00.hashes").toFile(), "rw")) {
            file.setLength(32 * 50 + 7);
        }
        assertThatThrownBy(() -> MerkleLogs.open(dir)).isInstanceOf(MerkleLogCorruptedException.class)
                .hasMessageContaining("checkpoint needs 100");
    }

    @Test
    void anEmptyDirectoryIsAnEmptyLog() {
        try (MerkleLog log = MerkleLogs.open(dir.resolve("new"))) {
            assertThat(log.size()).isZero();
            assertThat(log.head().root()).isEqualTo(MerkleHashing.EMPTY_ROOT);
        }
        assertThat(Files.isDirectory(dir.resolve("new"))).isTrue();
    }

    @Test
    void rejectsProofsOutsideTheLog() {
        try (MerkleLog log = MerkleLogs.open(dir)) {
            log.append(leaf(1));
            assertThatThrownBy(() -> log.inclusionProof(1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.root(2)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.consistencyProof(2, 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
