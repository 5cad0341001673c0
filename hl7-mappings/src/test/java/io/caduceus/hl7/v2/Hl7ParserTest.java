package io.caduceus.hl7.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Hl7ParserTest {
    private static final String MSH = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240305143015+0100||ADT^A01^ADT_A01|C1|P|2.5.1";
    private static final String PID = "PID|1||MRN1^^^FAC^MR~MRN2^^^&1.2.3&ISO^PI||Testerson^Tina";

    private static Hl7Message parse(String text) throws Hl7ParseException {
        return Hl7Message.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsDelimitersFromTheMessageItself() throws Exception {
        Hl7Message m = parse("MSH#*%/$#APP#FAC#R#RF#20240305##ADT*A01#C1#P#2.5\rPID#1##A1*x$y%A2##Doe*Jane");
        Hl7Segment pid = m.segments("PID").get(0);
        assertThat(m.messageType()).isEqualTo("ADT");
        assertThat(m.triggerEvent()).isEqualTo("A01");
        assertThat(pid.value(3, 1, 1, 1)).isEqualTo("A1");
        assertThat(pid.value(3, 1, 2, 1)).isEqualTo("x");
        assertThat(pid.value(3, 1, 2, 2)).isEqualTo("y");
        assertThat(pid.value(3, 2, 1, 1)).isEqualTo("A2");
        assertThat(pid.value(5, 1, 2, 1)).isEqualTo("Jane");
        assertThat(m.msh().value(1)).isEqualTo("#");
        assertThat(m.msh().value(2)).isEqualTo("*%/$");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r", "\n", "\r\n"})
    void acceptsAnySegmentEnding(String eol) throws Exception {
        Hl7Message m = parse(MSH + eol + PID + eol + "ZXY|1|custom" + eol);
        assertThat(m.segments()).extracting(Hl7Segment::id).containsExactly("MSH", "PID", "ZXY");
        assertThat(m.segments("PID").get(0).value(5)).isEqualTo("Testerson");
    }

    @Test
    void ignoresFramingLeadingWhitespaceAndTrailingGarbage() throws Exception {
        Hl7Message m = parse("\u000b \r\n" + MSH + "\r" + PID + "\r\u001c\r  \n\u0000\u0000 trailing noise ~~~\r\n");
        assertThat(m.segments()).hasSize(2);
    }

    @Test
    void rejectsGarbageBetweenSegmentsNamingItsPosition() {
        assertThatThrownBy(() -> parse(MSH + "\rnot a segment\r" + PID))
                .isInstanceOf(Hl7ParseException.class)
                .satisfies(e -> assertThat(((Hl7ParseException) e).segmentIndex()).isEqualTo(1));
    }

    @Test
    void keepsZSegments() throws Exception {
        Hl7Message m = parse(MSH + "\rZPD|1|VIP^Very important\r" + PID);
        assertThat(m.segments("ZPD").get(0).value(2, 1, 2, 1)).isEqualTo("Very important");
    }

    @Test
    void decodesEscapeSequences() throws Exception {
        Hl7Message m = parse(MSH + "\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f|line1\\.br\\line2|Stra\\XC39F\\e|\\X41\\|"
                + "\\H\\bold\\N\\|open\\F");
        Hl7Segment nte = m.segments("NTE").get(0);
        assertThat(nte.value(3)).isEqualTo("a|b^c&d~e\\f");
        assertThat(nte.value(4)).isEqualTo("line1\nline2");
        assertThat(nte.value(5)).isEqualTo("Straße");
        assertThat(nte.value(6)).isEqualTo("A");
        assertThat(nte.value(7)).isEqualTo("\\H\\bold\\N\\");
        assertThat(nte.value(8)).isEqualTo("open\\F");
    }

    @Test
    void escapedDelimitersDoNotSplit() throws Exception {
        Hl7Message m = parse(MSH + "\rOBX|1|ST|X||5\\S\\6\\R\\7");
        Hl7Segment obx = m.segments("OBX").get(0);
        assertThat(obx.repetitionCount(5)).isEqualTo(1);
        assertThat(obx.componentCount(5, 1)).isEqualTo(1);
        assertThat(obx.value(5)).isEqualTo("5^6~7");
    }

    @Test
    void absentPositionsReadAsNull() throws Exception {
        Hl7Segment pid = parse(MSH + "\r" + PID).segments("PID").get(0);
        assertThat(pid.value(99)).isNull();
        assertThat(pid.value(3, 9, 1, 1)).isNull();
        assertThat(pid.value(0, 0, 0, 0)).isNull();
        assertThat(pid.value(3, 1, 4, 7)).isNull();
        assertThat(pid.value(3, 2, 4, 2)).isEqualTo("1.2.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.2", "2.9", "2.9.1"})
    void acceptsPublishedVersions21To291(String version) throws Exception {
        assertThat(parse(MSH.replace("2.5.1", version)).version()).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0", "2.10", "3.0", "2.5.9", "abc"})
    void rejectsOtherVersionsNamingMsh12(String version) {
        assertThatThrownBy(() -> parse(MSH.replace("2.5.1", version)))
                .isInstanceOf(Hl7ParseException.class)
                .hasMessageContaining("MSH-12")
                .satisfies(e -> assertThat(((Hl7ParseException) e).fieldPosition()).isEqualTo(12));
    }

    @Test
    void rejectsMissingVersionAndMessageType() {
        assertThatThrownBy(() -> parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("MSH-12");
        assertThatThrownBy(() -> parse("MSH|^~\\&|A|B|C|D|20240101|||1|P|2.5"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("MSH-9");
    }

    @Test
    void rejectsMessagesNotStartingWithMsh() {
        assertThatThrownBy(() -> parse(PID)).isInstanceOf(Hl7ParseException.class);
        assertThatThrownBy(() -> Hl7Message.parse(new byte[0])).isInstanceOf(Hl7ParseException.class);
    }

    @Test
    void rejectsUnusableEncodingCharactersNamingMsh2() {
        assertThatThrownBy(() -> parse("MSH|^^\\&|A"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("MSH-2");
        assertThatThrownBy(() -> parse("MSH||A|B"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("MSH-2");
        assertThatThrownBy(() -> parse("MSHA^~\\&"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("MSH-1");
    }

    @Test
    void bytesThatAreNotUtf8AreReadAsLatin1WhenMsh18IsEmpty() throws Exception {
        byte[] latin1 = (MSH + "\rPID|1||X||M\u00fcller^J\u00fcrgen").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Parser.parse(latin1).segments("PID").get(0).value(5, 1, 1, 1)).isEqualTo("M\u00fcller");
        byte[] utf8 = (MSH + "\rPID|1||X||M\u00fcller^J\u00fcrgen").getBytes(StandardCharsets.UTF_8);
        assertThat(Hl7Parser.parse(utf8).segments("PID").get(0).value(5, 1, 1, 1)).isEqualTo("M\u00fcller");
    }

    @Test
    void theTriggerEventComesFromEvn1WhenMsh9LeavesItOut() throws Exception {
        Hl7Message old = parse(MSH.replace("ADT^A01^ADT_A01", "ADT").replace("2.5.1", "2.1") + "\rEVN|A08|20240305");
        assertThat(old.messageType()).isEqualTo("ADT");
        assertThat(old.triggerEvent()).isEqualTo("A08");
        assertThat(parse(MSH + "\rEVN|A08|20240305").triggerEvent()).as("MSH-9.2 wins when given").isEqualTo("A01");
        assertThat(parse(MSH.replace("ADT^A01^ADT_A01", "ADT")).triggerEvent()).isNull();
    }

    @Test
    void aBatchIsRefusedWithAMessageSayingSo() {
        assertThatThrownBy(() -> parse("BHS|^~\\&|A|B\r" + MSH + "\rBTS|1"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("batch");
        assertThatThrownBy(() -> parse("FHS|^~\\&|A|B\rBHS|^~\\&\r" + MSH + "\rBTS|1\rFTS|1"))
                .isInstanceOf(Hl7ParseException.class).hasMessageContaining("batch");
    }

    @Test
    void parseErrorsAndToStringNeverShowContent() throws Exception {
        String surname = "Zwetschgenbaum";
        assertThatThrownBy(() -> parse(MSH.replace("2.5.1", "3.0") + "\rPID|1||X||" + surname))
                .isInstanceOf(Hl7ParseException.class)
                .hasMessageNotContaining(surname);
        Hl7Message m = parse(MSH + "\rPID|1||X||" + surname);
        assertThat(m.toString()).doesNotContain(surname).doesNotContain("C1");
        assertThat(m.segments("PID").get(0).toString()).doesNotContain(surname);
    }

    @Test
    void declaredLatin1IsDecodedAsLatin1() throws Exception {
        byte[] bytes = (MSH + "||||||8859/1\rPID|1||X||M\u00fcller").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Hl7Message.parse(bytes).segments("PID").get(0).value(5)).isEqualTo("Müller");
    }
}
