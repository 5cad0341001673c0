package io.caduceus.edge.fhir;

/**
 * The legacy FHIR server could not be read this time: unreachable, too slow, an error status, or an answer that is not
 * a search Bundle. Retried at the next interval. The message is Caduceus's own and never quotes what the server sent,
 * which may be patient data.
 */
public final class LegacyFhirException extends Exception {

    private static final long serialVersionUID = 1L;

    LegacyFhirException(String message) {
        super(message);
    }
}
