package io.caduceus.edge.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the values one label takes: the first {@code max} distinct values are kept, every later one becomes
 * {@value #OTHER}. Senders choose MSH-3, MSH-4 and MSH-9 themselves, and each new value would be a new time series in
 * every scrape and in Prometheus for good; a misconfigured or hostile sender must not be able to grow them without end.
 */
final class LabelLimiter {

    static final String OTHER = "other";
    static final String UNKNOWN = "unknown";
    /** Long enough for any real APP^FACILITY or message structure; longer text is cut. */
    static final int MAX_LENGTH = 64;

    private final int max;
    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    LabelLimiter(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("a label needs room for at least one value");
        }
        this.max = max;
    }

    String label(String raw) {
        String value = clean(raw);
        if (admitted.contains(value)) {
            return value;
        }
        synchronized (this) {
            if (admitted.size() < max) {
                admitted.add(value);
                return value;
            }
        }
        return OTHER;
    }

    /** Printable ASCII only (a label value is shown in dashboards and alert texts), cut to {@link #MAX_LENGTH}. */
    static String clean(String raw) {
        if (raw == null || raw.isBlank()) {
            return UNKNOWN;
        }
        StringBuilder out = new StringBuilder(Math.min(raw.length(), MAX_LENGTH));
        for (int i = 0; i < raw.length() && out.length() < MAX_LENGTH; i++) {
            char c = raw.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        }
        String value = out.toString().strip();
        return value.isEmpty() ? UNKNOWN : value;
    }
}
