package io.caduceus.edge.hl7;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The acknowledgement of an HL7 v2 batch (HL7 v2.5.1 section 2.10.3.3, acknowledging batches, the option that
 * acknowledges every message): a batch of its own holding one ACK per message of the input, in input order, each
 * exactly the ACK that message gets when sent alone in original mode (MSA AA/AE/AR, MSA-2 its MSH-10, ERR segments
 * for errors and for values lenient mapping left out).
 *
 * <p>The envelope answers the input's: FHS/FTS when the input had FHS, and a BHS/BTS per input batch always, so that
 * BTS-1 can give the count of acknowledgements (a batch of bare messages gets one too). In each header the sending and
 * receiving application and facility (3-6) are the input's swapped, 7 is now, 11 a control id of Caduceus and 12 the
 * input's 11 (reference batch / file control id), in the input header's delimiters. BTS-2 and FTS-2 say what did not
 * add up (BTS-1 against the messages read, a missing trailer, skipped lines); FTS-1 is the count of batches. Segments
 * end as the input's did (CR, LF or CRLF), so a sender that writes files with LF reads the answer with LF too.
 */
final class Hl7BatchAckBuilder {

    /** BTS-2 and FTS-2 are ST of 80 characters. */
    private static final int COMMENT_LENGTH = 80;

    private Hl7BatchAckBuilder() {
    }

    /**
     * @param acks one ACK per message of {@code input}, flat, in input order (CR between segments, as
     *             {@link Hl7AckBuilder} writes them)
     */
    static byte[] build(Hl7Batch input, List<byte[]> acks, ZonedDateTime now, Supplier<String> controlIds) {
        if (acks.size() != input.messageCount()) {
            throw new IllegalArgumentException(acks.size() + " acknowledgements for " + input.messageCount() + " messages");
        }
        List<String> segments = new ArrayList<>();
        Hl7Batch.Header file = input.fileHeader();
        if (file != null) {
            segments.add(header(file, "FHS", file, now, controlIds.get()));
        }
        int next = 0;
        for (Hl7Batch.Batch batch : input.batches()) {
            Hl7Batch.Header delimiters = batch.header() != null ? batch.header() : file;
            segments.add(header(batch.header(), "BHS", delimiters, now, controlIds.get()));
            for (int i = 0; i < batch.messages().size(); i++) {
                addSegments(segments, acks.get(next++));
            }
            segments.add(trailer("BTS", delimiters, batch.messages().size(), batch.notes()));
        }
        if (file != null) {
            segments.add(trailer("FTS", file, input.batches().size(), input.notes()));
        }
        return join(segments, input.lineEnd());
    }

    /**
     * The answer to a batch whose envelope could not be read: a batch holding the one acknowledgement
     * {@link Hl7Acknowledger} wrote for it (AR with the ERR naming the fault, or AE when it could not even be
     * quarantined), so that a sender which takes an empty batch of acknowledgements for "all accepted" (section
     * 2.10.3.3, option b) is not misled. Default delimiters, CR: nothing of the input can be trusted.
     */
    static byte[] refused(byte[] ack, ZonedDateTime now, String controlId, String reason) {
        List<String> segments = new ArrayList<>();
        segments.add(header(null, "BHS", null, now, controlId));
        addSegments(segments, ack);
        segments.add(trailer("BTS", null, 1, List.of(reason)));
        return join(segments, "\r");
    }

    private static String header(Hl7Batch.Header input, String segmentId, Hl7Batch.Header delimiters, ZonedDateTime now,
            String controlId) {
        char fs = delimiters == null ? '|' : delimiters.fieldSeparator();
        String enc = delimiters == null ? "^~\\&" : delimiters.encodingCharacters();
        StringBuilder header = new StringBuilder(128).append(segmentId).append(fs).append(enc);
        String[] swapped = input == null ? new String[] {"", "", "", ""}
                : new String[] {input.field(5), input.field(6), input.field(3), input.field(4)};
        for (String value : swapped) {
            header.append(fs).append(value);
        }
        header.append(fs).append(Hl7AckBuilder.HL7_TIMESTAMP.format(now))
                .append(fs) // 8 security
                .append(fs) // 9 name/id/type
                .append(fs) // 10 comment
                .append(fs).append(Hl7AckBuilder.escape(controlId, delimiterHeader(fs, enc)))
                .append(fs).append(input == null ? "" : input.controlId());
        return header.toString();
    }

    private static String trailer(String segmentId, Hl7Batch.Header delimiters, int count, List<String> notes) {
        char fs = delimiters == null ? '|' : delimiters.fieldSeparator();
        String enc = delimiters == null ? "^~\\&" : delimiters.encodingCharacters();
        StringBuilder trailer = new StringBuilder(64).append(segmentId).append(fs).append(count);
        if (!notes.isEmpty()) {
            String comment = String.join("; ", notes);
            comment = comment.length() <= COMMENT_LENGTH ? comment : comment.substring(0, COMMENT_LENGTH);
            trailer.append(fs).append(Hl7AckBuilder.escape(comment, delimiterHeader(fs, enc)));
        }
        return trailer.toString();
    }

    /** The delimiters of a batch header, in the form {@link Hl7AckBuilder#escape} takes them. */
    private static MshHeader delimiterHeader(char fs, String enc) {
        return new MshHeader(fs, enc, "", "", "", "", "", "", "", "P", "2.5.1", "", "");
    }

    private static void addSegments(List<String> segments, byte[] ack) {
        for (String segment : new String(ack, StandardCharsets.ISO_8859_1).split("[\r\n]+")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
    }

    private static byte[] join(List<String> segments, String lineEnd) {
        StringBuilder out = new StringBuilder();
        for (String segment : segments) {
            out.append(segment).append(lineEnd);
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
