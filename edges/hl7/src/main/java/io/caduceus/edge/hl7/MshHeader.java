package io.caduceus.edge.hl7;

import java.nio.charset.StandardCharsets;

/**
 * The MSH fields an acknowledgement needs, read leniently from raw bytes. Separate from the full parser on purpose:
 * a message the parser rejects (unknown version, broken segment) still deserves an ACK that names its control id,
 * written with the sender's own delimiters.
 *
 * @param fieldSeparator MSH-1
 * @param encodingCharacters MSH-2, at least the component, repetition, escape and subcomponent characters
 */
record MshHeader(char fieldSeparator, String encodingCharacters, String sendingApplication, String sendingFacility,
        String receivingApplication, String receivingFacility, String messageType, String triggerEvent, String controlId,
        String processingId, String version, String acceptAckType, String applicationAckType) {

    static final MshHeader UNREADABLE = new MshHeader('|', "^~\\&", "", "", "", "", "", "", "", "P", "2.5.1", "", "");

    /** Reads MSH from the start of {@code message}; returns {@link #UNREADABLE} when there is no MSH to read. */
    static MshHeader read(byte[] message) {
        int start = 0;
        // Tolerate leading whitespace or a stray BOM some senders emit before MSH.
        while (start < message.length && (message[start] == ' ' || message[start] == '\r' || message[start] == '\n'
                || (message[start] & 0xFF) == 0xEF || (message[start] & 0xFF) == 0xBB || (message[start] & 0xFF) == 0xBF)) {
            start++;
        }
        if (message.length - start < 8 || message[start] != 'M' || message[start + 1] != 'S' || message[start + 2] != 'H') {
            return UNREADABLE;
        }
        int end = start;
        while (end < message.length && message[end] != '\r' && message[end] != '\n') {
            end++;
        }
        // ISO-8859-1 maps every byte to one char, so delimiters are found whatever the message's real charset.
        String segment = new String(message, start, end - start, StandardCharsets.ISO_8859_1);
        if (segment.length() < 4) {
            return UNREADABLE; // "MSH" alone on its line (found by Hl7BatchFuzzTest): no separator to read
        }
        char fs = segment.charAt(3);
        if (Character.isLetterOrDigit(fs) || fs == ' ') {
            return UNREADABLE;
        }
        String[] fields = split(segment, fs);
        // fields[0] = "MSH", fields[1] = MSH-2; MSH-n is fields[n-1] because MSH-1 is the separator itself.
        String encoding = field(fields, 2);
        if (encoding.length() < 4) {
            encoding = (encoding + "^~\\&".substring(encoding.length())).substring(0, 4);
        }
        char component = encoding.charAt(0);
        String messageTypeField = field(fields, 9);
        String[] typeParts = split(messageTypeField, component);
        String processing = firstComponent(field(fields, 11), component);
        String version = firstComponent(field(fields, 12), component);
        return new MshHeader(fs, encoding, field(fields, 3), field(fields, 4), field(fields, 5), field(fields, 6),
                typeParts.length > 0 ? typeParts[0] : "", typeParts.length > 1 ? typeParts[1] : "", field(fields, 10),
                processing.isEmpty() ? "P" : processing, version.isEmpty() ? "2.5.1" : version,
                field(fields, 15).strip(), field(fields, 16).strip());
    }

    /** {@code text.split(quote(separator), -1)} without compiling a pattern per call. */
    private static String[] split(String text, char separator) {
        java.util.List<String> parts = new java.util.ArrayList<>(20);
        int start = 0;
        for (int i = text.indexOf(separator); i >= 0; i = text.indexOf(separator, start)) {
            parts.add(text.substring(start, i));
            start = i + 1;
        }
        parts.add(text.substring(start));
        return parts.toArray(new String[0]);
    }

    /** True when MSH-15 or MSH-16 is valued: the sender asks for enhanced-mode acknowledgement. */
    boolean enhancedMode() {
        return !acceptAckType.isEmpty() || !applicationAckType.isEmpty();
    }

    /** Version as major.minor number for choosing the ERR layout, e.g. 2.3 for "2.3.1". */
    double numericVersion() {
        try {
            String[] parts = version.split("\\.");
            return Double.parseDouble(parts[0] + "." + (parts.length > 1 ? parts[1] : "0"));
        } catch (NumberFormatException e) {
            return 2.5;
        }
    }

    /** The sending system as {@code APPLICATION} and {@code FACILITY} namespace ids. */
    String sendingApplicationId() {
        return firstComponent(sendingApplication, encodingCharacters.charAt(0));
    }

    String sendingFacilityId() {
        return firstComponent(sendingFacility, encodingCharacters.charAt(0));
    }

    private static String field(String[] fields, int mshPosition) {
        int index = mshPosition - 1;
        return index < fields.length ? fields[index] : "";
    }

    private static String firstComponent(String field, char componentSeparator) {
        int at = field.indexOf(componentSeparator);
        return (at < 0 ? field : field.substring(0, at)).strip();
    }

    @Override
    public String toString() {
        // Routing fields only; a control id is not patient data but is kept out of logs all the same.
        return "MshHeader[" + messageType + "^" + triggerEvent + ", v" + version + "]";
    }
}
