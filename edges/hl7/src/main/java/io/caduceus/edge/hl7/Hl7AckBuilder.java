package io.caduceus.edge.hl7;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * Builds ACK messages in the sender's own delimiters and version. The receiving and sending fields of the original
 * MSH are swapped, MSH-10 is echoed in MSA-2, and each error or warning gets an ERR segment in the layout of the
 * sender's version: ERR-1 (ELD) up to 2.4, ERR-2/3/4 (location, HL7 error code, severity E or W) from 2.5 on. MSA-3
 * carries the first error's reason; warnings alone (the AA of a message stored without some values) leave it empty.
 */
final class Hl7AckBuilder {

    static final DateTimeFormatter HL7_TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSZ");

    private Hl7AckBuilder() {
    }

    static byte[] build(MshHeader original, AckCode code, Optional<Hl7Error> error, ZonedDateTime now, String ackControlId) {
        return build(original, code, error.map(List::of).orElse(List.of()), now, ackControlId, null);
    }

    static byte[] build(MshHeader original, AckCode code, List<Hl7Error> errors, ZonedDateTime now, String ackControlId) {
        return build(original, code, errors, now, ackControlId, null);
    }

    /**
     * The enhanced-mode application acknowledgement: the same ACK, but a message of its own on a new connection, so
     * MSH-15 AL asks the original sender for the commit acknowledgement that tells Caduceus it arrived, and MSH-16
     * NE says that an acknowledgement is not itself to be acknowledged by the application.
     */
    static byte[] buildApplicationAck(MshHeader original, AckCode code, List<Hl7Error> errors, ZonedDateTime now,
            String ackControlId) {
        return build(original, code, errors, now, ackControlId, "AL");
    }

    /**
     * The application acknowledgement as the answer on the originating connection (no destination configured): MSH-15
     * NE and MSH-16 NE, since a commit acknowledgement the sender wrote back on that connection would reach Caduceus
     * as a new message.
     */
    static byte[] buildApplicationReply(MshHeader original, AckCode code, List<Hl7Error> errors, ZonedDateTime now,
            String ackControlId) {
        return build(original, code, errors, now, ackControlId, "NE");
    }

    private static byte[] build(MshHeader original, AckCode code, List<Hl7Error> errors, ZonedDateTime now,
            String ackControlId, String acceptAckType) {
        char fs = original.fieldSeparator();
        String enc = original.encodingCharacters();
        char cs = enc.charAt(0);
        char ss = enc.length() > 3 ? enc.charAt(3) : '&';
        StringBuilder ack = new StringBuilder(256);
        ack.append("MSH").append(fs).append(enc)
                .append(fs).append(original.receivingApplication())
                .append(fs).append(original.receivingFacility())
                .append(fs).append(original.sendingApplication())
                .append(fs).append(original.sendingFacility())
                .append(fs).append(HL7_TIMESTAMP.format(now))
                .append(fs)
                .append(fs).append("ACK");
        if (!original.triggerEvent().isEmpty()) {
            ack.append(cs).append(escape(original.triggerEvent(), original)).append(cs).append("ACK");
        }
        ack.append(fs).append(ackControlId)
                .append(fs).append(escape(original.processingId(), original))
                .append(fs).append(escape(original.version(), original));
        if (acceptAckType != null) {
            ack.append(fs).append(fs).append(fs).append(acceptAckType).append(fs).append("NE"); // MSH-13, 14 empty; 15, 16
        }
        ack.append('\r');
        ack.append("MSA").append(fs).append(code.name()).append(fs).append(original.controlId());
        errors.stream().filter(e -> e.severity() == Hl7Error.Severity.E).findFirst()
                .ifPresent(e -> ack.append(fs).append(escape(truncate(e.reason(), 80), original)));
        ack.append('\r');
        for (Hl7Error e : errors) {
            ack.append("ERR").append(fs);
            if (original.numericVersion() < 2.5) {
                // ELD: segment id ^ sequence ^ field position ^ code (CE: id & text & table)
                ack.append(e.segmentId()).append(cs).append(e.segmentSequence() > 0 ? e.segmentSequence() : "")
                        .append(cs).append(e.field() > 0 ? e.field() : "")
                        .append(cs).append(e.code()).append(ss).append(escape(e.codeText(), original)).append(ss).append("HL70357");
            } else {
                ack.append(fs);
                if (!e.segmentId().isEmpty()) {
                    // ERL: segment id ^ sequence ^ field position ^ field repetition ^ component ^ subcomponent
                    ack.append(e.segmentId()).append(cs).append(Math.max(1, e.segmentSequence()));
                    if (e.field() > 0) {
                        ack.append(cs).append(e.field()).append(cs).append(Math.max(1, e.fieldRepetition()));
                        if (e.component() > 0) {
                            ack.append(cs).append(e.component());
                            if (e.subcomponent() > 0) {
                                ack.append(cs).append(e.subcomponent());
                            }
                        }
                    }
                }
                ack.append(fs).append(e.code()).append(cs).append(escape(e.codeText(), original)).append(cs).append("HL70357")
                        .append(fs).append(e.severity().name())
                        .append(fs).append(fs).append(fs).append(fs)
                        .append(escape(truncate(e.reason(), 250), original));
            }
            ack.append('\r');
        }
        return ack.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Escapes the sender's delimiters in text Caduceus writes into the ACK (reasons, echoed ids). */
    static String escape(String text, MshHeader original) {
        String enc = original.encodingCharacters();
        char escapeChar = enc.length() > 2 ? enc.charAt(2) : '\\';
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == original.fieldSeparator()) {
                out.append(escapeChar).append('F').append(escapeChar);
            } else if (c == enc.charAt(0)) {
                out.append(escapeChar).append('S').append(escapeChar);
            } else if (enc.length() > 1 && c == enc.charAt(1)) {
                out.append(escapeChar).append('R').append(escapeChar);
            } else if (c == escapeChar) {
                out.append(escapeChar).append('E').append(escapeChar);
            } else if (enc.length() > 3 && c == enc.charAt(3)) {
                out.append(escapeChar).append('T').append(escapeChar);
            } else if (c == '\r' || c == '\n') {
                out.append(' ');
            } else if (c < 0x20 || c > 0xFF) {
                out.append('?');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
