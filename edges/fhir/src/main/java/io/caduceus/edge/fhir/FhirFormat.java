package io.caduceus.edge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.Locale;

/** The two FHIR wire formats Caduceus reads and writes, and how a request chooses them. */
enum FhirFormat {
    JSON("application/fhir+json"),
    XML("application/fhir+xml");

    private final String mediaType;

    FhirFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    String mediaType() {
        return mediaType;
    }

    String contentTypeHeader() {
        return mediaType + ";charset=utf-8";
    }

    IParser parser(FhirContext fhir) {
        return this == JSON ? fhir.newJsonParser() : fhir.newXmlParser();
    }

    /**
     * The format of a request body from its Content-Type. Without one the first significant byte decides, since some
     * clients send none; a type that is neither JSON nor XML is null (answered 415).
     */
    static FhirFormat ofRequest(String contentType, byte[] body) {
        if (contentType == null || contentType.isBlank()) {
            for (byte b : body) {
                if (b == '{') {
                    return JSON;
                }
                if (b == '<') {
                    return XML;
                }
                if (!Character.isWhitespace(b) && (b & 0xFF) != 0xEF && (b & 0xFF) != 0xBB && (b & 0xFF) != 0xBF) {
                    break;
                }
            }
            return JSON;
        }
        return ofMediaType(contentType);
    }

    /**
     * The answer's format: {@code _format} wins over Accept (FHIR's rule for clients that cannot set headers); the
     * first acceptable type of Accept next; otherwise the request's own format.
     */
    static FhirFormat forResponse(String formatParameter, String accept, FhirFormat requestFormat) {
        if (formatParameter != null && !formatParameter.isBlank()) {
            String f = formatParameter.strip().toLowerCase(Locale.ROOT);
            if (f.equals("json")) {
                return JSON;
            }
            if (f.equals("xml")) {
                return XML;
            }
            FhirFormat format = ofMediaType(f);
            if (format != null) {
                return format;
            }
        }
        if (accept != null) {
            for (String part : accept.split(",")) {
                FhirFormat format = ofMediaType(part);
                if (format != null) {
                    return format;
                }
            }
        }
        return requestFormat == null ? JSON : requestFormat;
    }

    private static FhirFormat ofMediaType(String mediaType) {
        String type = mediaType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return switch (type) {
            case "application/fhir+json", "application/json", "application/json+fhir", "json" -> JSON;
            case "application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml", "xml" -> XML;
            default -> null;
        };
    }
}
