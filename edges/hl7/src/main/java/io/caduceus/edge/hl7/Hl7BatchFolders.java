package io.caduceus.edge.hl7;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;

/**
 * Where a batch file goes once read ({@code camel/hl7-batch.camel.yaml}): the done folder when every message of it is
 * committed (stored, or quarantined for its content), the failed folder otherwise (its envelope could not be read, a
 * message could not be stored, or the route failed). The file route moves the file to the folder named by the exchange
 * property {@value #TARGET}, which is the failed folder until {@link #finish} decides otherwise, so that a file is
 * never moved to done by a route that did not get to its end.
 *
 * <p>The folders are made absolute here, against the middleware's working directory as every other path option is:
 * the file component would take a relative move target as relative to the inbox.
 */
public final class Hl7BatchFolders {

    /** Exchange property naming the folder the file is moved to; no dots, so the route's simple expression reads it. */
    static final String TARGET = "CaduceusHl7BatchFolder";

    private final Path done;
    private final Path failed;

    Hl7BatchFolders(Path done, Path failed) {
        this.done = done.toAbsolutePath().normalize();
        this.failed = failed.toAbsolutePath().normalize();
    }

    /** From {@code caduceus.hl7.batch.done} and {@code .failed}; creates them when batch files are enabled. */
    public static Hl7BatchFolders from(CamelContext context) {
        Hl7BatchFolders folders = new Hl7BatchFolders(
                Path.of(context.resolvePropertyPlaceholders("{{caduceus.hl7.batch.done}}").strip()),
                Path.of(context.resolvePropertyPlaceholders("{{caduceus.hl7.batch.failed}}").strip()));
        if (Boolean.parseBoolean(context.resolvePropertyPlaceholders("{{caduceus.hl7.batch.enabled}}").strip())) {
            try {
                Files.createDirectories(folders.done);
                Files.createDirectories(folders.failed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the HL7 batch folders (caduceus.hl7.batch.done, "
                        + "caduceus.hl7.batch.failed)", e);
            }
        }
        return folders;
    }

    /** First step for a file: failed, unless the route gets to {@link #finish}. */
    public void begin(Exchange exchange) {
        exchange.setProperty(TARGET, failed.toString());
    }

    /** Last step for a file: done when every message is committed. */
    public void finish(Exchange exchange) {
        exchange.setProperty(TARGET, (Hl7Batches.complete(exchange) ? done : failed).toString());
    }
}
