package io.caduceus.core.json;

/**
 * The JSON number grammar of RFC 8259 (section 6), in one place: the reader parses numbers with it, and writers that
 * copy number text from elsewhere (a FHIR decimal, say) check with it that the text is one.
 */
public final class JsonNumbers {

    /** {@link #end}: no digit where the integer part must start. */
    public static final int INVALID_NUMBER = -1;
    /** {@link #end}: a decimal point without a digit after it. */
    public static final int INVALID_FRACTION = -2;
    /** {@link #end}: an exponent marker without a digit after it (and its sign). */
    public static final int INVALID_EXPONENT = -3;

    private JsonNumbers() {
    }

    /**
     * Where the longest JSON number starting at {@code from} ends, or one of the negative codes above. A zero integer
     * part ends the integer, so after {@code "01"} the number is {@code "0"}; the digit that follows is the caller's
     * to refuse (a leading zero).
     */
    public static int end(CharSequence text, int from) {
        int n = text.length();
        int i = from;
        if (i < n && text.charAt(i) == '-') {
            i++;
        }
        if (i < n && text.charAt(i) == '0') {
            i++;
        } else if (i < n && isDigit(text.charAt(i))) {
            i = digits(text, i);
        } else {
            return INVALID_NUMBER;
        }
        if (i < n && text.charAt(i) == '.') {
            i++;
            if (i >= n || !isDigit(text.charAt(i))) {
                return INVALID_FRACTION;
            }
            i = digits(text, i);
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            if (i >= n || !isDigit(text.charAt(i))) {
                return INVALID_EXPONENT;
            }
            i = digits(text, i);
        }
        return i;
    }

    /** Whether the whole text is one JSON number. */
    public static boolean isNumber(CharSequence text) {
        return end(text, 0) == text.length();
    }

    public static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int digits(CharSequence text, int i) {
        while (i < text.length() && isDigit(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
