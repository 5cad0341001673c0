package io.caduceus.edge.hl7;

/** Names of the exchange properties the ingest beans hand each other; none of them is ever logged. */
final class IngestExchange {

    static final String ORIGINAL = "caduceus.hl7.original";
    static final String RECEIVED_AT = "caduceus.hl7.receivedAt";
    /** {@link System#nanoTime()} at intake, for the acknowledgement latency (the wall clock may step meanwhile). */
    static final String RECEIVED_NANOS = "caduceus.hl7.receivedNanos";
    static final String HEADER = "caduceus.hl7.msh";
    static final String MAPPING = "caduceus.hl7.mapping";
    /** {@code List<Hl7Error>} of severity W: the values lenient mapping left out of a message that is stored. */
    static final String WARNINGS = "caduceus.hl7.warnings";
    static final String RECORD_ID = "caduceus.recordId";
    static final String DUPLICATE = "caduceus.duplicate";
    /** The MllpOversizeFrame a frame over the size limit became: answered AR, noticed in quarantine without content. */
    static final String OVERSIZE = "caduceus.hl7.oversize";
    static final String QUARANTINE_ID = "caduceus.quarantineId";
    /**
     * Set on a message that came in an HL7 batch (Hl7Batches): it is answered in original mode, inside the batch
     * acknowledgement, whatever its MSH-15/16 ask.
     */
    static final String IN_BATCH = "caduceus.hl7.inBatch";
    static final String APPLICATION_ACK_DESTINATION = "caduceus.hl7.applicationAck.destination";
    static final String APPLICATION_ACK_SENDER = "caduceus.hl7.applicationAck.sender";

    private IngestExchange() {
    }
}
