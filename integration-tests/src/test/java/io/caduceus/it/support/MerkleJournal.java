package io.caduceus.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The anchoring Merkle log's own journal ({@code <data>/anchor/log/journal}): one line per appended leaf, the
 * record id, besides the {@code C } checkpoint lines. Counting a record's lines says how often it was appended.
 */
public final class MerkleJournal {

    private MerkleJournal() {
    }

    public static Path of(Path dataDirectory) {
        return dataDirectory.resolve("anchor/log/journal");
    }

    /** How many times each record id was appended; empty while the journal does not exist. */
    public static Map<String, Integer> leaves(Path journal) throws IOException {
        Map<String, Integer> leaves = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(journal, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return leaves;
        }
        for (String line : lines) {
            if (!line.startsWith("C ") && !line.isEmpty()) {
                leaves.merge(line, 1, Integer::sum);
            }
        }
        return leaves;
    }

    /** Polls the journal each second until it holds every id or {@code within} passed; returns what it last read. */
    public static Map<String, Integer> awaitLeaves(Path journal, Set<String> ids, Duration within)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, Integer> leaves = leaves(journal);
        while (!leaves.keySet().containsAll(ids) && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            leaves = leaves(journal);
        }
        return leaves;
    }
}
