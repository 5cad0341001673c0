package io.caduceus.edge.hl7;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HL7 v2 batches (FHS/BHS ... BTS/FTS), from a watched folder or in one MLLP frame: the steps of the
 * {@code hl7-batch} route around the ingest route. {@link #read} splits the batch, the route sends each message to
 * {@code direct:hl7-ingest} exactly as the MLLP listener sends a message that came alone (same intake, vault, Kafka,
 * quarantine and acknowledgement), {@link #answered} keeps each message's acknowledgement and {@link #acknowledge}
 * makes the batch acknowledgement of them ({@link Hl7BatchAckBuilder}).
 *
 * <p>Inside a batch every message is answered in original mode (AA/AE/AR), whatever its MSH-15/16 ask: the batch
 * acknowledgement is the answer the batch protocol defines, and a commit acknowledgement per message, or an
 * application acknowledgement sent elsewhere, would answer the same message twice. An envelope that cannot be read
 * is refused whole: the input is quarantined as one message would be (kept encrypted, a notice on the quarantine
 * topic) and answered with a batch holding the one AR.
 *
 * <p>Logs counts only: batch headers name systems, but messages are patient data.
 */
public final class Hl7Batches {

    /** The batch being processed and the acknowledgements of its messages so far. */
    static final String PROGRESS = "caduceus.hl7.batch.progress";

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Batches.class);

    private final ZoneId zone;

    public Hl7Batches() {
        this(ZoneId.systemDefault());
    }

    Hl7Batches(ZoneId zone) {
        this.zone = zone;
    }

    /** Whether the body (an MLLP frame) is a batch rather than a message: it starts with FHS or BHS. */
    public boolean isBatch(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof byte[] bytes && Hl7BatchReader.startsAsBatch(bytes);
    }

    /**
     * Reads the batch in the body; marks the exchange (and so every message's copy) as part of a batch.
     *
     * @throws Hl7RejectedException when the envelope cannot be read; the body is then the message to quarantine
     */
    public void read(Exchange exchange) throws Hl7RejectedException {
        byte[] bytes = exchange.getMessage().getBody(byte[].class);
        if (bytes == null) {
            bytes = new byte[0];
        }
        exchange.setProperty(IngestExchange.IN_BATCH, Boolean.TRUE);
        Progress progress = new Progress();
        exchange.setProperty(PROGRESS, progress);
        try {
            progress.batch = Hl7BatchReader.read(bytes);
        } catch (Hl7BatchReader.UnreadableBatchException e) {
            // What Hl7Quarantine keeps and Hl7Acknowledger answers: the whole input, as one unreadable message.
            exchange.setProperty(IngestExchange.ORIGINAL, bytes);
            exchange.setProperty(IngestExchange.RECEIVED_AT, Instant.now());
            exchange.setProperty(IngestExchange.HEADER, MshHeader.UNREADABLE);
            LOG.warn("HL7 batch of {} bytes refused: HL7 error {} at {}", bytes.length, e.error().code(),
                    Hl7Quarantine.location(e.error()));
            throw new Hl7RejectedException(AckCode.Outcome.REJECTED, e.error());
        }
        Hl7Batch batch = progress.batch;
        LOG.info("HL7 batch of {} bytes: {} messages in {} batches{}", bytes.length, batch.messageCount(),
                batch.batches().size(), batch.fileHeader() == null ? "" : " (with a file header)");
    }

    /** The messages to process, each as the MLLP listener would hand it to ingest: its bytes. */
    public List<byte[]> messages(Exchange exchange) {
        Progress progress = progress(exchange);
        List<byte[]> messages = new ArrayList<>(progress.batch.messageCount());
        progress.batch.batches().forEach(b -> messages.addAll(b.messages()));
        return messages;
    }

    /**
     * After {@code direct:hl7-ingest} processed one message (on the split's copy of the exchange): keeps its
     * acknowledgement, and whether the message is committed, i.e. stored (AA) or kept in the quarantine (AE/AR);
     * otherwise (AE 207) Caduceus could not store it, and whoever sent the batch must send it again.
     */
    public void answered(Exchange exchange) {
        Progress progress = progress(exchange);
        Object reply = exchange.getMessage().getBody();
        byte[] ack = reply instanceof byte[] bytes ? bytes : null;
        if (ack == null) {
            // Cannot happen in original mode; an acknowledgement is owed all the same.
            ack = Hl7AckBuilder.build(MshHeader.UNREADABLE, AckCode.AE, List.of(Hl7Error.message(
                    Hl7Error.APPLICATION_INTERNAL_ERROR, "no acknowledgement; please resend")), ZonedDateTime.now(zone),
                    Hl7Acknowledger.nextControlId());
        }
        String code = ackCode(ack);
        boolean committed = "AA".equals(code) || exchange.getProperty(IngestExchange.QUARANTINE_ID) != null;
        progress.acks.add(ack);
        progress.codes.add(code);
        if (!committed) {
            progress.uncommitted++;
        }
    }

    /** The body becomes the batch acknowledgement. */
    public void acknowledge(Exchange exchange) {
        Progress progress = progress(exchange);
        exchange.getMessage().setBody(Hl7BatchAckBuilder.build(progress.batch, progress.acks, ZonedDateTime.now(zone),
                Hl7Acknowledger::nextControlId));
        progress.complete = progress.uncommitted == 0;
        long accepted = progress.codes.stream().filter("AA"::equals).count();
        LOG.info("HL7 batch acknowledged: {} messages, {} AA, {} not AA, {} to be sent again", progress.acks.size(),
                accepted, progress.acks.size() - accepted, progress.uncommitted);
    }

    /**
     * The envelope could not be read (or the batch could not be processed at all): the body, the acknowledgement
     * {@link Hl7Acknowledger} wrote for the input as a whole, goes into a batch of its own.
     */
    public void refused(Exchange exchange) {
        byte[] ack = exchange.getMessage().getBody(byte[].class);
        Exception caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = caught instanceof Hl7RejectedException
                ? "batch refused, not processed; kept in quarantine"
                : "batch not processed; please resend";
        exchange.getMessage().setBody(Hl7BatchAckBuilder.refused(ack == null ? new byte[0] : ack,
                ZonedDateTime.now(zone), Hl7Acknowledger.nextControlId(), reason));
        Progress progress = exchange.getProperty(PROGRESS, Progress.class);
        if (progress != null) {
            progress.complete = false;
        }
    }

    /**
     * Whether every message of the batch is committed (stored or quarantined): a file is then done; otherwise it goes
     * to the failed folder, to be put back in the inbox once Caduceus can store again (what was stored meanwhile is
     * recognised as a retransmission and recorded once).
     */
    static boolean complete(Exchange exchange) {
        Progress progress = exchange.getProperty(PROGRESS, Progress.class);
        return progress != null && progress.complete;
    }

    private static Progress progress(Exchange exchange) {
        Progress progress = exchange.getProperty(PROGRESS, Progress.class);
        if (progress == null || progress.batch == null) {
            throw new IllegalStateException("no HL7 batch read on this exchange");
        }
        return progress;
    }

    /** MSA-1 of an acknowledgement. */
    static String ackCode(byte[] ack) {
        String text = new String(ack, StandardCharsets.ISO_8859_1);
        int msa = text.indexOf("\rMSA");
        if (msa < 0 || msa + 5 > text.length()) {
            return "";
        }
        int start = msa + 5;
        int end = start;
        while (end < text.length() && Character.isLetter(text.charAt(end))) {
            end++;
        }
        return text.substring(start, end);
    }

    /**
     * Shared by the split's copies of the exchange (Camel copies the property map, not its values); the split runs
     * its messages one after the other, so no two threads touch it at once.
     */
    static final class Progress {
        private Hl7Batch batch;
        private final List<byte[]> acks = new ArrayList<>();
        private final List<String> codes = new ArrayList<>();
        private int uncommitted;
        private boolean complete;
    }
}
