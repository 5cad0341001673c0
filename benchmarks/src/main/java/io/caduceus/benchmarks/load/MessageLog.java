package io.caduceus.benchmarks.load;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The load tool's optional per-message log ({@code --log FILE}): one tab-separated line per message sent, {@code phase
 * controlId ack latencyMs}, with {@code none} and an empty latency for a message whose connection failed before its
 * ACK. Control ids and codes only: the messages are synthetic, but a log is no place for message content anyway.
 * Written by the tool's single selector thread, buffered, so it costs the measured run next to nothing.
 */
class MessageLog implements AutoCloseable {

    static final MessageLog NONE = new MessageLog(null);

    private final BufferedWriter out;

    private MessageLog(BufferedWriter out) {
        this.out = out;
    }

    static MessageLog open(Path file) throws IOException {
        return open(file, "phase\tcontrolId\tack\tlatencyMs");
    }

    /** A log whose columns are named otherwise (the FHIR mode's: bundle and HTTP status). */
    static MessageLog open(Path file, String header) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        out.write(header + "\n");
        return new MessageLog(out);
    }

    Phase phase(String name) {
        return new Phase(name);
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    /** The lines of one part of the run: a warm-up or the measured messages. */
    final class Phase {
        private final String name;

        private Phase(String name) {
            this.name = name;
        }

        void answered(String controlId, String ack, long latencyNanos) {
            line(controlId, ack, String.format(Locale.ROOT, "%.3f", latencyNanos / 1e6));
        }

        void unanswered(String controlId) {
            line(controlId, "none", "");
        }

        private void line(String controlId, String ack, String latency) {
            if (out == null) {
                return;
            }
            try {
                out.write(name + '\t' + controlId + '\t' + ack + '\t' + latency + '\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the per-message log", e);
            }
        }
    }
}
