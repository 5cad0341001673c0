package io.caduceus.hl7.mapping;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * HL7 v2 DTM/TS to FHIR date, dateTime and instant. Precision is kept as sent (a v2 value to the minute becomes a
 * FHIR value to the second, which FHIR requires once a time is present); a missing offset is filled from the
 * message (see {@link MappingRun#offsetFor}).
 */
final class V2DateTimes {
    // Parts of a DTM value, as groups of YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
    private static final int YEAR = 1;
    private static final int MONTH = 2;
    private static final int DAY = 3;
    private static final int HOUR = 4;
    private static final int MINUTE = 5;
    private static final int SECOND = 6;
    private static final int FRACTION = 7;
    private static final int OFFSET = 8;

    private V2DateTimes() {
    }

    static ZoneOffset explicitOffset(String v2) {
        if (v2 == null) {
            return null;
        }
        String[] m = dtm(v2.trim());
        if (m == null || m[OFFSET] == null) {
            return null;
        }
        try {
            return offset(m[OFFSET]);
        } catch (DateTimeException | IllegalArgumentException e) {
            return null;
        }
    }

    private static ZoneOffset offset(String sign4) {
        int hours = Integer.parseInt(sign4.substring(1, 3));
        int minutes = Integer.parseInt(sign4.substring(3, 5));
        int sign = sign4.charAt(0) == '-' ? -1 : 1;
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    /** Whether {@code v2} is a valid date/time to the day at least: what a FHIR instant can be made from. */
    static boolean isInstant(String v2) {
        String[] m = v2 == null ? null : dtm(v2.trim());
        if (m == null || m[DAY] == null) {
            return false;
        }
        try {
            LocalDateTime.of(Integer.parseInt(m[YEAR]), Integer.parseInt(m[MONTH]), Integer.parseInt(m[DAY]),
                    m[HOUR] == null ? 0 : Integer.parseInt(m[HOUR]), m[MINUTE] == null ? 0 : Integer.parseInt(m[MINUTE]),
                    m[SECOND] == null ? 0 : Integer.parseInt(m[SECOND]));
            if (m[OFFSET] != null) {
                offset(m[OFFSET]);
            }
            return true;
        } catch (DateTimeException | IllegalArgumentException e) {
            return false;
        }
    }

    /** @throws IllegalArgumentException with a reason free of the value */
    static String toFhir(String v2, String fhirType, MappingRun run) {
        String[] m = dtm(v2.trim());
        if (m == null) {
            throw new IllegalArgumentException("not an HL7 date/time");
        }
        int year = Integer.parseInt(m[YEAR]);
        String month = m[MONTH];
        String day = m[DAY];
        String hour = m[HOUR];
        try {
            if (day != null) {
                LocalDate.of(year, Integer.parseInt(month), Integer.parseInt(day));
            } else if (month != null) {
                LocalDate.of(year, Integer.parseInt(month), 1);
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid calendar date");
        }
        StringBuilder out = new StringBuilder(32);
        out.append(m[YEAR]);
        if (month != null) {
            out.append('-').append(month);
        }
        if (day != null) {
            out.append('-').append(day);
        }
        if ("date".equals(fhirType)) {
            return out.toString();
        }
        boolean instant = "instant".equals(fhirType);
        if (hour == null && !instant) {
            return out.toString();
        }
        if (day == null) {
            throw new IllegalArgumentException("instant needs at least a day");
        }
        int h = hour == null ? 0 : Integer.parseInt(hour);
        int min = m[MINUTE] == null ? 0 : Integer.parseInt(m[MINUTE]);
        int sec = m[SECOND] == null ? 0 : Integer.parseInt(m[SECOND]);
        LocalDateTime local;
        try {
            local = LocalDateTime.of(year, Integer.parseInt(month), Integer.parseInt(day), h, min, sec);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid time of day");
        }
        ZoneOffset zone;
        try {
            zone = m[OFFSET] != null ? offset(m[OFFSET]) : run.offsetFor(local);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid time zone offset");
        }
        out.append('T').append(two(h)).append(':').append(two(min)).append(':').append(two(sec));
        if (m[FRACTION] != null) {
            out.append('.').append(m[FRACTION]);
        }
        out.append(zone.getId());
        return out.toString();
    }

    /**
     * The parts of a DTM value (index {@link #YEAR} to {@link #OFFSET}, null where absent), or null when the text is
     * not one: what the pattern {@code (\\d{4})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,4}))?)?)?)?)?)?([+-]\\d{4})?}
     * matches, read by hand because the regular expression was a visible share of mapping time.
     */
    static String[] dtm(String text) {
        int n = text.length();
        if (n < 4 || !digits(text, 0, 4)) {
            return null;
        }
        String[] parts = new String[OFFSET + 1];
        parts[YEAR] = text.substring(0, 4);
        int i = 4;
        for (int part = MONTH; part <= SECOND && i + 2 <= n && digits(text, i, i + 2); part++) {
            parts[part] = text.substring(i, i + 2);
            i += 2;
        }
        if (parts[SECOND] != null && i < n && text.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 4 && isDigit(text.charAt(i))) {
                i++;
            }
            if (i == start) {
                return null;
            }
            parts[FRACTION] = text.substring(start, i);
        }
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            if (n - i != 5 || !digits(text, i + 1, n)) {
                return null;
            }
            parts[OFFSET] = text.substring(i);
            i = n;
        }
        return i == n ? parts : null;
    }

    private static boolean digits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
