package io.caduceus.hl7.v2;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A parsed HL7 v2 message: its segments in order, Z-segments included. */
public final class Hl7Message {
    private final List<Hl7Segment> segments;
    private final String version;

    Hl7Message(List<Hl7Segment> segments, String version) {
        this.segments = Collections.unmodifiableList(segments);
        this.version = version;
    }

    public static Hl7Message parse(byte[] message) throws Hl7ParseException {
        return Hl7Parser.parse(message);
    }

    public List<Hl7Segment> segments() {
        return segments;
    }

    public Hl7Segment msh() {
        return segments.get(0);
    }

    public List<Hl7Segment> segments(String id) {
        List<Hl7Segment> found = new ArrayList<>();
        for (Hl7Segment s : segments) {
            if (s.id().equals(id)) {
                found.add(s);
            }
        }
        return found;
    }

    /** MSH-12.1, one of the versions the parser accepts. */
    public String version() {
        return version;
    }

    /** MSH-9.1, for example ADT. */
    public String messageType() {
        return msh().value(9, 1, 1, 1);
    }

    /**
     * MSH-9.2, for example A01; when the sender left it out (HL7 2.1 and some 2.2 senders put the event only in
     * EVN-1), the EVN segment's event type code; null when neither is there.
     */
    public String triggerEvent() {
        String trigger = msh().value(9, 1, 2, 1);
        if (trigger != null) {
            return trigger;
        }
        List<Hl7Segment> evn = segments("EVN");
        return evn.isEmpty() ? null : evn.get(0).value(1, 1, 1, 1);
    }

    /** MSH-10. */
    public String controlId() {
        return msh().value(10);
    }

    @Override
    public String toString() {
        return "Hl7Message[" + messageType() + "^" + triggerEvent() + ", v" + version + ", " + segments.size()
                + " segments]";
    }
}
