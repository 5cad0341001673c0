package io.caduceus.core.domain;

/**
 * Format checks of the ids that every message creates and every ledger entry read back validates. Written out by hand:
 * as regular expressions they were a few percent of the ingest pipeline's CPU.
 */
public final class Formats {

    private Formats() {
    }

    /** {@code prefix} followed by exactly {@code digits} lowercase hexadecimal digits. */
    public static boolean isPrefixedLowerHex(String value, String prefix, int digits) {
        if (value == null || value.length() != prefix.length() + digits || !value.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
