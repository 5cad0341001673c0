package io.caduceus.hl7.v2;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes HL7 v2 escape sequences. Sequences this middleware cannot render faithfully (highlighting, character
 * set switches, formatting other than line breaks) are kept literally rather than dropped, so no text is lost.
 */
final class Hl7Escapes {
    private Hl7Escapes() {
    }

    static String decode(String value, Hl7Encoding enc) {
        char esc = enc.escape();
        if (esc == 0 || value.indexOf(esc) < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            int end = c == esc ? value.indexOf(esc, i + 1) : -1;
            if (end < 0) {
                out.append(c);
                i++;
                continue;
            }
            String sequence = value.substring(i + 1, end);
            String replacement = replacement(sequence, enc);
            if (replacement == null) {
                out.append(value, i, end + 1);
            } else {
                out.append(replacement);
            }
            i = end + 1;
        }
        return out.toString();
    }

    private static String replacement(String sequence, Hl7Encoding enc) {
        switch (sequence) {
            case "F":
                return String.valueOf(enc.field());
            case "S":
                return String.valueOf(enc.component());
            case "T":
                return enc.subcomponent() == 0 ? null : String.valueOf(enc.subcomponent());
            case "R":
                return enc.repetition() == 0 ? null : String.valueOf(enc.repetition());
            case "E":
                return String.valueOf(enc.escape());
            case ".br":
                return "\n";
            default:
                return sequence.length() > 1 && sequence.charAt(0) == 'X' ? hex(sequence.substring(1)) : null;
        }
    }

    private static String hex(String digits) {
        if (digits.length() % 2 != 0) {
            return null;
        }
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = Character.digit(digits.charAt(2 * i), 16);
            int lo = Character.digit(digits.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes[i] = (byte) (hi << 4 | lo);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Older senders escape single Latin-1 bytes.
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
