package io.caduceus.edge.store;

/**
 * The vault or Kafka did not take a message within {@code caduceus.ingest.store-timeout-ms}: the sender is asked to
 * resend (HL7 AE 207 / CE, FHIR 503 with Retry-After). The message may still have become durable; its resend is
 * recognised by record id.
 */
public final class StoreTimeoutException extends RuntimeException {

    public StoreTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
