package io.caduceus.bridge;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.io.DurableFiles;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of {@link DefaultAnchorer}'s state: {@code anchor-state.json}, replaced atomically on every change,
 * {@code receipts.jsonl}, the confirmed receipts (appended, rewritten only when anchors are lost), and
 * {@code lost-anchors.jsonl}, append-only. Every write is forced to disk before it returns.
 */
final class AnchorStateFiles {

    static final String STATE = "anchor-state.json";
    static final String RECEIPTS = "receipts.jsonl";
    static final String LOST = "lost-anchors.jsonl";

    /** What {@code anchor-state.json} holds. */
    record Saved(Instant lastAnchorAt, long chainAnchoredSize, int delivered, boolean reanchorDue,
                 List<PendingAnchor> pending) {
    }

    private final Path directory;

    AnchorStateFiles(Path directory) {
        this.directory = directory;
    }

    List<AnchorReceipt> receipts() throws IOException {
        List<AnchorReceipt> out = new ArrayList<>();
        for (Map<?, ?> map : readLines(directory.resolve(RECEIPTS))) {
            out.add(AnchorReceipt.fromJsonMap(map));
        }
        return out;
    }

    List<LostAnchor> lost() throws IOException {
        List<LostAnchor> out = new ArrayList<>();
        for (Map<?, ?> map : readLines(directory.resolve(LOST))) {
            out.add(LostAnchor.fromJsonMap(map));
        }
        return out;
    }

    /** Empty before the first save. */
    Optional<Saved> state() throws IOException {
        Path state = directory.resolve(STATE);
        if (!Files.exists(state)) {
            return Optional.empty();
        }
        if (!(CanonicalJson.parse(Files.readString(state, StandardCharsets.UTF_8)) instanceof Map<?, ?> map)) {
            throw new JsonException("anchor state must be a JSON object");
        }
        Object last = map.get("lastAnchorAt");
        List<PendingAnchor> pending = new ArrayList<>();
        if (map.get("pending") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> p) {
                    pending.add(PendingAnchor.fromJsonMap(p));
                }
            }
        }
        return Optional.of(new Saved(last == null ? null : Instant.parse(last.toString()),
                JsonFields.integer(map, "chainAnchoredSize"), (int) JsonFields.integer(map, "delivered"),
                Boolean.TRUE.equals(map.get("reanchorDue")), pending));
    }

    /** The JSON objects of a JSON-lines file (a last line a crash left incomplete is cut). */
    private static List<Map<?, ?>> readLines(Path file) throws IOException {
        List<Map<?, ?>> out = new ArrayList<>();
        for (String line : DurableFiles.readCompleteLines(file)) {
            if (CanonicalJson.parse(line) instanceof Map<?, ?> map) {
                out.add(map);
            }
        }
        return out;
    }

    void appendReceipt(AnchorReceipt receipt) {
        try {
            DurableFiles.appendLine(directory.resolve(RECEIPTS), receipt.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the receipt of anchor size " + receipt.treeSize(), e);
        }
    }

    /** Appends lost anchors' lines (each ending in a newline); nothing for an empty text. */
    void appendLost(String lines) {
        if (lines.isEmpty()) {
            return;
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(LOST), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record lost anchors in " + directory, e);
        }
    }

    void rewriteReceipts(List<AnchorReceipt> confirmed) {
        StringBuilder lines = new StringBuilder();
        for (AnchorReceipt receipt : confirmed) {
            lines.append(receipt.toJson()).append('\n');
        }
        replaceAtomically(RECEIPTS, lines.toString());
    }

    void save(Saved state) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("lastAnchorAt", state.lastAnchorAt() == null ? null : state.lastAnchorAt().toString());
        map.put("chainAnchoredSize", state.chainAnchoredSize());
        map.put("reanchorDue", state.reanchorDue());
        map.put("delivered", (long) state.delivered());
        List<Object> list = new ArrayList<>();
        for (PendingAnchor p : state.pending()) {
            list.add(p.toJsonMap());
        }
        map.put("pending", list);
        replaceAtomically(STATE, CanonicalJson.write(map));
    }

    private void replaceAtomically(String name, String content) {
        try {
            DurableFiles.replace(directory.resolve(name), content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + name + " in " + directory, e);
        }
    }
}
