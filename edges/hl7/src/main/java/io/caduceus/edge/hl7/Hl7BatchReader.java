package io.caduceus.edge.hl7;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an HL7 v2 batch ({@code [FHS] { [BHS] { MSH ... } [BTS] } [FTS]}, HL7 v2.5.1 section 2.10.3) into its
 * messages, as files from registries and billing systems come: with or without FHS/FTS, several batches per file,
 * bare messages without any envelope, segments ended by CR, LF or CRLF, a trailer missing, lines of garbage after it.
 *
 * <p>Not HAPI's {@code Hl7InputStreamMessageStringIterator} (HAPI 2.6.0 has no batch reader beyond it): it decodes with
 * the platform charset, drops FHS/BHS unread (so no control id to refer to and no count to check) and leaves
 * BTS/FTS inside the last message of the batch, which the parser would then map or refuse with that message.
 *
 * <p>Works on bytes read as ISO-8859-1, one char per byte, so each message keeps its exact bytes whatever its charset
 * (UTF-8 never has a CR or LF byte inside a character). A message runs from its MSH to the next MSH, FHS, BHS, BTS or
 * FTS; lines after its last segment that are no segment (trailing garbage) are left out of it, lines that are no
 * segment between two of its segments stay in it, so the parser judges the message exactly as if it came alone. The
 * one structural error is an envelope that cannot be read: input that does not start with FHS, BHS or MSH, or an
 * FHS/BHS whose delimiters are unusable; then nothing is processed and the caller keeps the whole input.
 */
final class Hl7BatchReader {

    private Hl7BatchReader() {
    }

    /** The envelope cannot be read: nothing of the input was processed. */
    static final class UnreadableBatchException extends Exception {

        private static final long serialVersionUID = 1L;

        private final transient Hl7Error error;

        UnreadableBatchException(Hl7Error error) {
            super(error.reason());
            this.error = error;
        }

        Hl7Error error() {
            return error;
        }
    }

    /** Whether {@code bytes} start (after blanks or a byte order mark) with FHS or BHS: a batch, not a message. */
    static boolean startsAsBatch(byte[] bytes) {
        int start = skipPadding(bytes);
        return bytes.length - start >= 4 && (startsWith(bytes, start, "FHS") || startsWith(bytes, start, "BHS"))
                && !Character.isLetterOrDigit(bytes[start + 3]) && bytes[start + 3] != '\r' && bytes[start + 3] != '\n';
    }

    static Hl7Batch read(byte[] bytes) throws UnreadableBatchException {
        String text = new String(bytes, skipPadding(bytes), bytes.length - skipPadding(bytes), StandardCharsets.ISO_8859_1);
        List<String> lines = lines(text);
        if (lines.isEmpty()) {
            throw new UnreadableBatchException(Hl7Error.message(Hl7Error.SEGMENT_SEQUENCE_ERROR, "empty batch file"));
        }
        String first = segmentId(lines.get(0));
        if (!"FHS".equals(first) && !"BHS".equals(first) && !"MSH".equals(first)) {
            throw new UnreadableBatchException(new Hl7Error(Hl7Error.SEGMENT_SEQUENCE_ERROR,
                    "batch does not start with an FHS, BHS or MSH segment", "", 0, 0, 0));
        }
        Builder builder = new Builder();
        for (int i = 0; i < lines.size(); i++) {
            builder.line(lines.get(i), i == 0);
        }
        return builder.finish(lineEnd(text));
    }

    /** Collects batches and messages line by line. */
    private static final class Builder {
        private Hl7Batch.Header fileHeader;
        private final List<Hl7Batch.Batch> batches = new ArrayList<>();
        private String fileTrailer;
        private boolean fileEnded;
        private int linesAfterFileTrailer;
        private final List<String> fileNotes = new ArrayList<>();

        private boolean batchOpen;
        private Hl7Batch.Header batchHeader;
        private List<byte[]> messages = new ArrayList<>();
        private int strayLines;

        private List<String> message;

        void line(String line, boolean first) throws UnreadableBatchException {
            if (fileEnded) {
                linesAfterFileTrailer++;
                return;
            }
            String id = segmentId(line);
            if (id == null) {
                if (message != null) {
                    message.add(line);
                } else {
                    strayLines++;
                }
                return;
            }
            switch (id) {
                case "FHS" -> {
                    if (first) {
                        fileHeader = header(line, "FHS");
                    } else {
                        strayLine(); // a second file header inside a file says nothing that could be used
                    }
                }
                case "BHS" -> {
                    closeBatch(null, false);
                    batchOpen = true;
                    batchHeader = header(line, "BHS");
                }
                case "MSH" -> {
                    closeMessage();
                    batchOpen = true;
                    message = new ArrayList<>();
                    message.add(line);
                }
                case "BTS" -> {
                    if (batchOpen) {
                        closeBatch(trailerCount(line), true);
                    } else {
                        strayLines++; // a second BTS, or one after FHS alone: it ends nothing
                    }
                }
                case "FTS" -> {
                    closeBatch(null, false);
                    fileTrailer = trailerCount(line);
                    fileEnded = true;
                }
                default -> {
                    if (message != null) {
                        message.add(line); // any other segment, Z-segments included, belongs to its message
                    } else {
                        strayLines++;
                    }
                }
            }
        }

        private void strayLine() {
            if (message != null) {
                closeMessage();
            }
            strayLines++;
        }

        private void closeMessage() {
            if (message == null) {
                return;
            }
            int last = message.size() - 1;
            char separator = message.get(0).length() > 3 ? message.get(0).charAt(3) : '|';
            while (last > 0 && !looksLikeSegment(message.get(last), separator)) {
                last--;
                strayLines++;
            }
            StringBuilder bytes = new StringBuilder();
            for (int i = 0; i <= last; i++) {
                bytes.append(message.get(i)).append('\r');
            }
            messages.add(bytes.toString().getBytes(StandardCharsets.ISO_8859_1));
            message = null;
        }

        /** Ends the open batch, with its BTS-1 when a BTS ended it; a batch that was never opened gives nothing. */
        private void closeBatch(String trailer, boolean hasTrailer) {
            closeMessage();
            if (!batchOpen) {
                return;
            }
            List<String> notes = new ArrayList<>();
            if (!hasTrailer && batchHeader != null) {
                // Without BHS either (bare messages, or FHS and messages) there is no batch to end: nothing missing.
                notes.add("no BTS: batch trailer missing");
            } else if (hasTrailer && !trailer.isEmpty()) {
                try {
                    int declared = Integer.parseInt(trailer);
                    if (declared != messages.size()) {
                        notes.add("BTS-1 says " + declared + " messages, " + messages.size() + " received");
                    }
                } catch (NumberFormatException e) {
                    notes.add("BTS-1 is not a number");
                }
            }
            if (strayLines > 0) {
                notes.add(strayLines + (strayLines == 1 ? " line" : " lines") + " outside any message skipped");
            }
            batches.add(new Hl7Batch.Batch(batchHeader, messages, hasTrailer ? trailer : null, notes));
            batchOpen = false;
            batchHeader = null;
            messages = new ArrayList<>();
            strayLines = 0;
        }

        Hl7Batch finish(String lineEnd) {
            if (!fileEnded) {
                closeBatch(null, false);
                if (fileHeader != null) {
                    fileNotes.add("no FTS: file trailer missing");
                }
            }
            if (strayLines > 0) {
                // Lines between a BTS and the next BHS or the end: nothing to attach them to but the file.
                fileNotes.add(strayLines + (strayLines == 1 ? " line" : " lines") + " outside any batch skipped");
            }
            if (fileTrailer != null && !fileTrailer.isEmpty()) {
                try {
                    int declared = Integer.parseInt(fileTrailer);
                    if (declared != batches.size()) {
                        fileNotes.add("FTS-1 says " + declared + " batches, " + batches.size() + " received");
                    }
                } catch (NumberFormatException e) {
                    fileNotes.add("FTS-1 is not a number");
                }
            }
            if (linesAfterFileTrailer > 0) {
                fileNotes.add(linesAfterFileTrailer + (linesAfterFileTrailer == 1 ? " line" : " lines")
                        + " after FTS skipped");
            }
            return new Hl7Batch(fileHeader, batches, fileTrailer, lineEnd, fileNotes);
        }
    }

    /** An FHS or BHS; its delimiters must be usable, as MSH's must, or nothing after it can be read. */
    private static Hl7Batch.Header header(String line, String segmentId) throws UnreadableBatchException {
        char separator = line.length() > 3 ? line.charAt(3) : '|';
        if (line.length() <= 3 || !usableDelimiter(separator)) {
            throw new UnreadableBatchException(new Hl7Error(Hl7Error.DATA_TYPE_ERROR,
                    segmentId + "-1 field separator is not a usable delimiter", segmentId, 1, 1, 0));
        }
        List<String> fields = split(line, separator);
        String encoding = fields.size() > 1 ? fields.get(1) : "";
        boolean usable = encoding.length() >= 1 && encoding.length() <= 5;
        for (int i = 0; usable && i < encoding.length(); i++) {
            char c = encoding.charAt(i);
            usable = usableDelimiter(c) && c != separator && encoding.indexOf(c) == i;
        }
        if (!usable) {
            throw new UnreadableBatchException(new Hl7Error(Hl7Error.DATA_TYPE_ERROR,
                    segmentId + "-2 encoding characters are not usable delimiters", segmentId, 1, 2, 0));
        }
        if (encoding.length() < 4) {
            encoding = (encoding + "^~\\&".substring(encoding.length())).substring(0, 4);
        }
        return new Hl7Batch.Header(segmentId, separator, encoding, fields);
    }

    /** BTS-1 or FTS-1 as written (ST: a count, but not always written as a plain number), "" when absent. */
    private static String trailerCount(String line) {
        if (line.length() <= 3) {
            return "";
        }
        List<String> fields = split(line, line.charAt(3));
        return fields.size() > 1 ? fields.get(1).strip() : "";
    }

    /**
     * The segment id of a line that starts like a segment: three characters, a letter then letters or digits, then
     * a field separator (anything not a letter or digit) or the line's end; null for a line that does not.
     */
    static String segmentId(String line) {
        if (line.length() < 3) {
            return null;
        }
        char a = line.charAt(0);
        char b = line.charAt(1);
        char c = line.charAt(2);
        if (!(a >= 'A' && a <= 'Z') || !upperOrDigit(b) || !upperOrDigit(c)) {
            return null;
        }
        if (line.length() > 3 && Character.isLetterOrDigit(line.charAt(3))) {
            return null;
        }
        return line.substring(0, 3);
    }

    private static boolean looksLikeSegment(String line, char separator) {
        return segmentId(line) != null && (line.length() == 3 || line.charAt(3) == separator);
    }

    private static boolean upperOrDigit(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean usableDelimiter(char c) {
        return c > ' ' && c < 0x7F && !Character.isLetterOrDigit(c);
    }

    /** Non-blank lines, split at CR, LF or CRLF. */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\r' || text.charAt(i) == '\n') {
                if (i > start && !text.substring(start, i).isBlank()) {
                    lines.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /** The first segment terminator of the input: CR (HL7's own) unless the input ends its first line otherwise. */
    private static String lineEnd(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                return "\n";
            }
            if (c == '\r') {
                return i + 1 < text.length() && text.charAt(i + 1) == '\n' ? "\r\n" : "\r";
            }
        }
        return "\r";
    }

    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = text.indexOf(separator); i >= 0; i = text.indexOf(separator, start)) {
            parts.add(text.substring(start, i));
            start = i + 1;
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static int skipPadding(byte[] bytes) {
        int start = 0;
        while (start < bytes.length && (bytes[start] == ' ' || bytes[start] == '\t' || bytes[start] == '\r'
                || bytes[start] == '\n' || (bytes[start] & 0xFF) == 0xEF || (bytes[start] & 0xFF) == 0xBB
                || (bytes[start] & 0xFF) == 0xBF)) {
            start++;
        }
        return start;
    }

    private static boolean startsWith(byte[] bytes, int at, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
