package io.caduceus.edge.store;

/**
 * Refused at once because the store breaker is open: the vault or Kafka failed just now, so the sender is asked to
 * resend (HL7 AE 207 / CE, FHIR 503 with Retry-After) without waiting the store deadline. Nothing was stored.
 */
public final class StoreRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreRefusedException(String message) {
        super(message, null, false, false);
    }
}
