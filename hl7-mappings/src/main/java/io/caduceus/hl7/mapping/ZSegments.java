package io.caduceus.hl7.mapping;

import io.caduceus.hl7.v2.Hl7Segment;
import java.util.List;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.MessageHeader;
import org.hl7.fhir.r4.model.PositiveIntType;
import org.hl7.fhir.r4.model.StringType;

/**
 * Site-specific segments (any segment whose id starts with Z) kept in the record rather than lost: the V2-to-FHIR guide
 * has no generic map for them, and what they mean is known only to the sites that send them, so each one is carried
 * verbatim on the message's MessageHeader as one {@value #URL} extension, for a reader who knows the site:
 *
 * <ul>
 *   <li>{@code segment} (string): the segment id, {@code ZPV};</li>
 *   <li>{@code sequence} (positiveInt): its position in the message, MSH being 1;</li>
 *   <li>one {@code value} per populated value, in message order, with {@code position} (string
 *       {@code FIELD.REPETITION.COMPONENT.SUBCOMPONENT}, all four always given, one-based) and {@code text} (string,
 *       the value with its escapes decoded as for every other field).</li>
 * </ul>
 *
 * <p>Positions and decoded texts together say every populated value of the segment, so nothing of it is lost; the
 * delimiters and the escape spelling are the original message's, which stays retrievable. {@code ""} (HL7's explicit
 * null) is not a value here, as nowhere else in the mapping. The texts are patient data like the rest of the Bundle,
 * which only the encrypted vault stores; the coverage report names their positions, never them.
 *
 * <p>A message map that makes no MessageHeader (an external one may) carries no Z-segment, and the coverage report then
 * names their values unmapped.
 */
final class ZSegments {
    static final String URL = "urn:caduceus:fhir:extension:v2-z-segment";

    private ZSegments() {
    }

    /** Adds every Z-segment of the run's message to the first MessageHeader among the planned resources. */
    static void carry(MappingRun run, List<MappingRun.Instance> planned) {
        MessageHeader header = null;
        for (Hl7Segment s : run.segments) {
            if (s.id().isEmpty() || s.id().charAt(0) != 'Z') {
                continue;
            }
            if (header == null) {
                header = headerOf(planned);
                if (header == null) {
                    return;
                }
            }
            Extension carried = segment(s, run.coverage);
            if (carried != null) {
                header.addExtension(carried);
            }
        }
    }

    private static MessageHeader headerOf(List<MappingRun.Instance> planned) {
        for (MappingRun.Instance i : planned) {
            if (i.resource instanceof MessageHeader h) {
                return h;
            }
        }
        return null;
    }

    /** The extension for one segment, or null when it has no populated value (a bare {@code ZXX}). */
    private static Extension segment(Hl7Segment s, CoverageTracker coverage) {
        Extension carried = null;
        for (int f = 1; f <= s.fieldCount(); f++) {
            for (int r = 1; r <= s.repetitionCount(f); r++) {
                for (int c = 1; c <= s.componentCount(f, r); c++) {
                    for (int sc = 1; sc <= s.subcomponentCount(f, r, c); sc++) {
                        String v = s.value(f, r, c, sc);
                        if (v == null || "\"\"".equals(v)) {
                            continue;
                        }
                        if (carried == null) {
                            carried = new Extension(URL);
                            carried.addExtension("segment", new StringType(s.id()));
                            carried.addExtension("sequence", new PositiveIntType(s.index() + 1));
                        }
                        Extension value = carried.addExtension().setUrl("value");
                        value.addExtension("position", new StringType(f + "." + r + "." + c + "." + sc));
                        value.addExtension("text", new StringType(v));
                        if (coverage != null) {
                            coverage.used(s, f, r, c, sc);
                        }
                    }
                }
            }
        }
        return carried;
    }
}
