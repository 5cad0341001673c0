package io.caduceus.hl7.mapping;

/**
 * What the mapper does with a value it cannot map.
 *
 * <p>{@link #STRICT}: a value that cannot be converted fails the whole message ({@link MappingException}, so AE and
 * quarantine); a code missing from a translation table is left out silently. {@link #LENIENT}: such a value is left
 * out of the Bundle and reported as a {@link MappingIssue} (the Bundle then carries an OperationOutcome naming it),
 * unless the FHIR element it was meant for is required, all the way up to its resource: then it fails the message as in
 * strict mode. A missing patient identifier (PID-3) or message time (MSH-7) fails the message in both modes.
 */
public enum MappingMode {
    STRICT,
    LENIENT
}
