package io.caduceus.hl7.v2;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever arrives on the wire, the parser answers with a message or an Hl7ParseException, nothing else. */
class Hl7ParserPropertiesTest {
    private static final String HEADER = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240305143015||ADT^A01|C1|P|2.5.1\r";

    @Property(tries = 3000)
    void randomBytesOnlyEverRaiseTheTypedException(@ForAll byte[] bytes) {
        parseExpectingOnlyTypedFailure(bytes);
    }

    @Property(tries = 3000)
    void randomBodiesAfterAValidHeaderOnlyEverRaiseTheTypedException(@ForAll("hl7ish") String body) {
        parseExpectingOnlyTypedFailure((HEADER + body).getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void randomHeadersOnlyEverRaiseTheTypedException(@ForAll("hl7ish") String header) {
        parseExpectingOnlyTypedFailure(("MSH" + header).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<String> hl7ish() {
        return Arbitraries.strings().withChars("|^~\\&#\r\nMSHPIDZX0123456789.ABCFSTREbr \u000b\u001c\u00e9")
                .ofMaxLength(300);
    }

    private static void parseExpectingOnlyTypedFailure(byte[] bytes) {
        try {
            Hl7Message m = Hl7Message.parse(bytes);
            for (Hl7Segment s : m.segments()) {
                for (int f = 0; f <= s.fieldCount() + 1; f++) {
                    for (int r = 0; r <= s.repetitionCount(f) + 1; r++) {
                        s.value(f, r, 1, 1);
                        s.value(f, r, 2, 2);
                    }
                }
            }
            m.messageType();
            m.triggerEvent();
            m.controlId();
        } catch (Hl7ParseException expected) {
            // the one permitted failure
        }
    }
}
