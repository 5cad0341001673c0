package io.caduceus.core.json;

/**
 * Thrown for input that is not I-JSON (RFC 7493), the subset RFC 8785 canonicalizes. The message names a position
 * and a reason only, never the offending text, because that text may be a patient's data.
 */
public final class JsonException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
