package io.caduceus.edge.hl7;

import java.util.List;

/**
 * An HL7 v2 batch file as {@link Hl7BatchReader} read it (HL7 v2.5.1 chapter 2, 2.10.3 "Batch protocol"):
 * {@code [FHS] { [BHS] { MSH ... } [BTS] } [FTS]}. Holds the messages and what the acknowledgement needs of the
 * envelope; header fields are routing data (applications, facilities, control ids), never message content.
 *
 * @param fileHeader  FHS, or null when the input had none
 * @param batches     in input order; a file of bare messages is one batch without header
 * @param fileTrailer FTS-1 as written (null: no FTS)
 * @param lineEnd     the segment terminator the input used (CR, LF or CRLF), which the acknowledgement repeats
 * @param notes       what did not add up at file level (FTS-1 against the batches read, a missing FTS, lines skipped
 *                    after the trailer), for FTS-2 of the acknowledgement; written by Caduceus, never input text
 */
record Hl7Batch(Header fileHeader, List<Batch> batches, String fileTrailer, String lineEnd, List<String> notes) {

    Hl7Batch {
        batches = List.copyOf(batches);
        notes = List.copyOf(notes);
    }

    int messageCount() {
        return batches.stream().mapToInt(b -> b.messages().size()).sum();
    }

    /**
     * One batch.
     *
     * @param header   BHS, or null when the input had none
     * @param messages each message's bytes, segments ended with CR as HL7 encodes them (a file's LF or CRLF become CR:
     *                 the same message sent over MLLP then has the same bytes, so a resend is a retransmission)
     * @param trailer  BTS-1 as written (null: no BTS)
     * @param notes    what did not add up in this batch (BTS-1 against the messages read, a missing BTS, lines that
     *                 belong to no message), for BTS-2 of the acknowledgement
     */
    record Batch(Header header, List<byte[]> messages, String trailer, List<String> notes) {

        Batch {
            messages = List.copyOf(messages);
            notes = List.copyOf(notes);
        }
    }

    /**
     * FHS or BHS, which share their layout: 1 field separator, 2 encoding characters, 3 sending application, 4 sending
     * facility, 5 receiving application, 6 receiving facility, 7 date/time, 8 security, 9 name/id/type, 10 comment,
     * 11 control id, 12 reference control id.
     *
     * @param fields {@code fields.get(n - 1)} is field n as written (escapes left alone), {@code fields.get(0)} the
     *               segment id standing in for the separator, as MSH-1 does
     */
    record Header(String segmentId, char fieldSeparator, String encodingCharacters, List<String> fields) {

        Header {
            fields = List.copyOf(fields);
        }

        String field(int position) {
            int index = position - 1;
            return position > 1 && index < fields.size() ? fields.get(index) : "";
        }

        String controlId() {
            return field(11);
        }
    }
}
