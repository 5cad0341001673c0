package io.caduceus.hl7.v2;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tolerant HL7 v2 parser. Senders in the field disagree on line endings, pad messages with MLLP framing or
 * whitespace, and pick their own delimiters, so the only hard requirements are an MSH segment first, readable
 * delimiters in MSH-1/MSH-2, a message type in MSH-9 and a published HL7 v2 version in MSH-12 (2.1 to 2.9.1).
 *
 * <p>The mappings follow the V2-to-FHIR guide, written for 2.3 to 2.8; the fields they read kept their positions
 * from 2.1 through 2.9.1, so older and newer senders are mapped the same way rather than refused. Anything else in
 * MSH-12 ("3.0", a typo) is refused, naming the field, because its layout cannot be trusted.
 */
final class Hl7Parser {
    static final Set<String> ACCEPTED_VERSIONS =
            Set.of("2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2", "2.9",
                    "2.9.1");

    private static final char MLLP_START = 0x0B;
    private static final char MLLP_END = 0x1C;
    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private Hl7Parser() {
    }

    static Hl7Message parse(byte[] bytes) throws Hl7ParseException {
        if (bytes == null || bytes.length == 0) {
            throw new Hl7ParseException(null, -1, 0, "empty message");
        }
        Hl7Message message = parse(new String(bytes, StandardCharsets.UTF_8));
        // MSH-18 can only be read after a first pass; re-decode only when it matters, i.e. when the bytes are
        // declared Latin-1 and are not plain ASCII (which reads the same either way). Bytes that are not UTF-8 at all
        // come from a sender that left MSH-18 empty on a Latin-1 system (most legacy ones): read them as Latin-1, the
        // HL7 default single-byte set, rather than turning every accented letter into U+FFFD.
        String charset = message.msh().value(18);
        boolean declaredLatin1 = charset != null && charset.startsWith("8859");
        if (!isAscii(bytes) && (declaredLatin1 || charset == null && !isValidUtf8(bytes))) {
            message = parse(new String(bytes, StandardCharsets.ISO_8859_1));
        }
        return message;
    }

    private static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    static Hl7Message parse(String text) throws Hl7ParseException {
        int start = 0;
        while (start < text.length() && isPadding(text.charAt(start))) {
            start++;
        }
        if (text.startsWith("FHS", start) || text.startsWith("BHS", start)) {
            throw new Hl7ParseException(null, 0, 0, "an HL7 batch (FHS/BHS) is not accepted here: send each message "
                    + "in a frame of its own");
        }
        if (!text.startsWith("MSH", start) || text.length() < start + 5) {
            throw new Hl7ParseException(null, 0, 0, "message does not start with an MSH segment");
        }
        Hl7Encoding encoding = readEncoding(text, start);

        List<String> lines = splitLines(text, start);
        List<Hl7Segment> segments = new ArrayList<>(lines.size());
        int firstInvalidLine = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!looksLikeSegment(line, encoding.field())) {
                if (firstInvalidLine < 0) {
                    firstInvalidLine = i;
                }
                continue;
            }
            if (firstInvalidLine >= 0) {
                // Garbage followed by more segments is a broken message, not trailing noise.
                throw new Hl7ParseException(null, firstInvalidLine, 0, "line is not an HL7 segment");
            }
            segments.add(parseSegment(line, segments.size(), encoding));
        }
        Hl7Segment msh = segments.get(0);
        if (msh.value(9, 1, 1, 1) == null) {
            throw new Hl7ParseException("MSH", 0, 9, "message type missing");
        }
        String version = msh.value(12, 1, 1, 1);
        if (version == null) {
            throw new Hl7ParseException("MSH", 0, 12, "version missing");
        }
        if (!ACCEPTED_VERSIONS.contains(version)) {
            throw new Hl7ParseException("MSH", 0, 12, "version not an HL7 v2 version (2.1 to 2.9.1 accepted)");
        }
        return new Hl7Message(segments, version);
    }

    private static boolean isPadding(char c) {
        return Character.isWhitespace(c) || c == MLLP_START || c == MLLP_END || c == BYTE_ORDER_MARK || c == 0;
    }

    private static Hl7Encoding readEncoding(String text, int mshStart) throws Hl7ParseException {
        char field = text.charAt(mshStart + 3);
        if (!isUsableDelimiter(field)) {
            throw new Hl7ParseException("MSH", 0, 1, "field separator is not a usable delimiter");
        }
        char[] declared = new char[5];
        int count = 0;
        for (int i = mshStart + 4; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == field || c == '\r' || c == '\n') {
                break;
            }
            if (count == declared.length) {
                throw new Hl7ParseException("MSH", 0, 2, "more than five encoding characters");
            }
            declared[count++] = c;
        }
        if (count == 0) {
            throw new Hl7ParseException("MSH", 0, 2, "encoding characters missing");
        }
        for (int i = 0; i < count; i++) {
            if (!isUsableDelimiter(declared[i])) {
                throw new Hl7ParseException("MSH", 0, 2, "encoding character is not a usable delimiter");
            }
            if (declared[i] == field) {
                throw new Hl7ParseException("MSH", 0, 2, "encoding character repeats the field separator");
            }
            for (int j = 0; j < i; j++) {
                if (declared[i] == declared[j]) {
                    throw new Hl7ParseException("MSH", 0, 2, "encoding characters are not distinct");
                }
            }
        }
        // The fifth character (truncation, v2.7+) plays no part in parsing.
        return new Hl7Encoding(field, declared[0], declared[1], declared[2], declared[3]);
    }

    private static boolean isUsableDelimiter(char c) {
        return c > ' ' && c < 0x7F && !Character.isLetterOrDigit(c);
    }

    private static List<String> splitLines(String text, int start) {
        List<String> lines = new ArrayList<>();
        int lineStart = start;
        int n = text.length();
        for (int i = start; i <= n; i++) {
            if (i == n || text.charAt(i) == '\r' || text.charAt(i) == '\n') {
                if (i > lineStart && !isBlank(text, lineStart, i)) {
                    lines.add(text.substring(lineStart, i));
                }
                lineStart = i + 1;
            }
        }
        return lines;
    }

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isPadding(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean looksLikeSegment(String line, char fieldSeparator) {
        if (line.length() < 3) {
            return false;
        }
        char a = line.charAt(0);
        char b = line.charAt(1);
        char c = line.charAt(2);
        boolean idOk = a >= 'A' && a <= 'Z' && isUpperOrDigit(b) && isUpperOrDigit(c);
        return idOk && (line.length() == 3 || line.charAt(3) == fieldSeparator);
    }

    private static boolean isUpperOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static Hl7Segment parseSegment(String line, int index, Hl7Encoding enc) {
        String id = line.substring(0, 3);
        boolean msh = index == 0;
        List<String> rawFields = split(line, enc.field());
        int fieldCount = msh ? rawFields.size() : rawFields.size() - 1;
        String[][][][] fields = new String[fieldCount + 1][][][];
        if (msh) {
            fields[1] = single(String.valueOf(enc.field()));
            fields[2] = single(rawFields.size() > 1 ? rawFields.get(1) : "");
            for (int f = 3; f <= fieldCount; f++) {
                fields[f] = parseField(rawFields.get(f - 1), enc);
            }
        } else {
            for (int f = 1; f <= fieldCount; f++) {
                fields[f] = parseField(rawFields.get(f), enc);
            }
        }
        return new Hl7Segment(id, index, fields);
    }

    private static String[][][] single(String value) {
        return new String[][][] {{{value}}};
    }

    private static String[][][] parseField(String raw, Hl7Encoding enc) {
        if (raw.isEmpty()) {
            return new String[0][][];
        }
        List<String> reps = enc.repetition() == 0 ? List.of(raw) : split(raw, enc.repetition());
        String[][][] field = new String[reps.size()][][];
        for (int r = 0; r < reps.size(); r++) {
            List<String> comps = split(reps.get(r), enc.component());
            String[][] components = new String[comps.size()][];
            for (int c = 0; c < comps.size(); c++) {
                List<String> subs = enc.subcomponent() == 0 ? List.of(comps.get(c)) : split(comps.get(c), enc.subcomponent());
                String[] subcomponents = new String[subs.size()];
                for (int s = 0; s < subs.size(); s++) {
                    subcomponents[s] = Hl7Escapes.decode(subs.get(s), enc);
                }
                components[c] = subcomponents;
            }
            field[r] = components;
        }
        return field;
    }

    private static List<String> split(String s, char delimiter) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(delimiter, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + 1;
        }
        parts.add(s.substring(from));
        return parts;
    }
}
