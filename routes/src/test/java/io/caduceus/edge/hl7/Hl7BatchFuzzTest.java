package io.caduceus.edge.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.caduceus.routes.fuzz.PhiMarker;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of the HL7 batch reader, which reads a sender's bytes (a file, or an MLLP frame that starts
 * with FHS or BHS) before anything else does. Any input is either read or refused with
 * {@link Hl7BatchReader.UnreadableBatchException}, whose message never repeats input; what is read is a list of
 * messages each starting with MSH and ending with CR, with no line feed left in them; the acknowledgement built for
 * them holds one MSA per message and BTS counts that add up, and quotes no input text outside the header fields it
 * must echo (checked with the marker seeds carry where a patient's name would be, never in a header).
 */
class Hl7BatchFuzzTest {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 12, 7, 10, 0, 0, 0, ZoneOffset.UTC);

    static {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Hl7Batches.class)).setLevel(Level.ERROR);
    }

    @FuzzTest
    void readsOrRefusesAndAnswersEveryMessage(FuzzedDataProvider data) {
        byte[] input = data.consumeRemainingAsBytes();
        Hl7Batch batch;
        try {
            batch = Hl7BatchReader.read(input);
        } catch (Hl7BatchReader.UnreadableBatchException e) {
            PhiMarker.assertNotEchoed(e);
            assertThat(e.error().code()).isIn(Hl7Error.SEGMENT_SEQUENCE_ERROR, Hl7Error.DATA_TYPE_ERROR);
            return;
        }
        List<byte[]> acks = new ArrayList<>();
        for (Hl7Batch.Batch b : batch.batches()) {
            assertThat(String.join("; ", b.notes())).doesNotContain(PhiMarker.MARKER);
            for (byte[] message : b.messages()) {
                String text = new String(message, StandardCharsets.ISO_8859_1);
                assertThat(text).startsWith("MSH").endsWith("\r").doesNotContain("\n");
                MshHeader header = MshHeader.read(message);
                acks.add(Hl7AckBuilder.build(header, AckCode.AA, List.of(), NOW, "A1"));
            }
        }
        assertThat(String.join("; ", batch.notes())).doesNotContain(PhiMarker.MARKER);

        String answer = new String(Hl7BatchAckBuilder.build(batch, acks, NOW, () -> "B1"), StandardCharsets.ISO_8859_1);
        String[] segments = answer.split(batch.lineEnd().equals("\r\n") ? "\r\n" : batch.lineEnd());
        long msa = 0;
        long bts = 0;
        for (String segment : segments) {
            msa += segment.startsWith("MSA") ? 1 : 0;
            bts += segment.startsWith("BTS") ? 1 : 0;
        }
        assertThat(msa).isEqualTo(batch.messageCount());
        assertThat(bts).isEqualTo(batch.batches().size());
    }
}
