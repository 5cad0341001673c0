package io.caduceus.bridge.anchoring;

import io.caduceus.bridge.ReceiptSink;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.json.CanonicalJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where confirmed anchor receipts go until they can be written back to the Fabric ledger: an append-only file,
 * one receipt JSON per line. The write-back itself is blocked, because the Fabric network cannot run here (its
 * sources are unavailable); whoever implements it drains this file. Idempotent by receipt, because the anchorer offers
 * a receipt again when a crash hid whether the last delivery succeeded; not by transaction hash alone, because a chain
 * restarted from genesis can mine the very same signed anchor (same key, nonce, data and fee) in another block, and
 * that receipt is new.
 */
public final class FileReceiptSink implements ReceiptSink {

    private final Path file;
    private final Set<String> delivered = new HashSet<>();

    public FileReceiptSink(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    // A line torn by a crash is simply written again: the receipt is offered again.
                    if (!line.isBlank() && parses(line) instanceof Map<?, ?> map) {
                        delivered.add(AnchorReceipt.fromJsonMap(map).toJson());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the receipts outbox " + file, e);
        }
    }

    private static Object parses(String line) {
        try {
            Object parsed = CanonicalJson.parse(line);
            return parsed instanceof Map<?, ?> map ? AnchorReceipt.fromJsonMap(map).toJsonMap() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public synchronized void accept(AnchorReceipt receipt) throws IOException {
        String key = receipt.toJson();
        if (delivered.contains(key)) {
            return;
        }
        byte[] line = (receipt.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        boolean tornLine = Files.exists(file) && Files.size(file) > 0 && !endsWithNewline(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            if (tornLine) {
                // A line torn by a crash must not swallow this receipt.
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(false);
        }
        delivered.add(key);
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, channel.size() - 1);
            return last.get(0) == '\n';
        }
    }

    public synchronized int size() {
        return delivered.size();
    }
}
