package io.caduceus.core.domain;

import java.util.Objects;

/**
 * A message as its sender names it: the source system and its message control id (HL7 MSH-10). Two messages with the
 * same id are the same message sent twice, which is how duplicates are recognised. Its record id is
 * {@link RecordIds#forMessage}.
 */
public record MessageId(SourceSystem source, String controlId) {

    private static final int MAX_LENGTH = 199;

    public MessageId {
        Objects.requireNonNull(source, "source");
        controlId = Objects.requireNonNull(controlId, "controlId").strip();
        if (controlId.isEmpty() || controlId.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a message control id must have 1 to " + MAX_LENGTH + " characters");
        }
    }
}
