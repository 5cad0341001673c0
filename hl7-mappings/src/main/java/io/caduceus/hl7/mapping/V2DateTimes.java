package io.caduceus.hl7.mapping;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HL7 v2 DTM/TS to FHIR date, dateTime and instant. Precision is kept as sent (a v2 value to the minute becomes a
 * FHIR value to the second, which FHIR requires once a time is present); a missing offset is filled from the
 * message (see {@link MappingRun#offsetFor}).
 */
final class V2DateTimes {
    private static final Pattern DTM = Pattern.compile(
            "(\\d{4})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:\\.(\\d{1,4}))?)?)?)?)?)?([+-]\\d{4})?");

    private V2DateTimes() {
    }

    static ZoneOffset explicitOffset(String v2) {
        if (v2 == null) {
            return null;
        }
        Matcher m = DTM.matcher(v2.trim());
        if (!m.matches() || m.group(8) == null) {
            return null;
        }
        try {
            return offset(m.group(8));
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

    /** @throws IllegalArgumentException with a reason free of the value */
    static String toFhir(String v2, String fhirType, MappingRun run) {
        Matcher m = DTM.matcher(v2.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not an HL7 date/time");
        }
        int year = Integer.parseInt(m.group(1));
        String month = m.group(2);
        String day = m.group(3);
        String hour = m.group(4);
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
        out.append(m.group(1));
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
        int min = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
        int sec = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
        LocalDateTime local;
        try {
            local = LocalDateTime.of(year, Integer.parseInt(month), Integer.parseInt(day), h, min, sec);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid time of day");
        }
        ZoneOffset zone;
        try {
            zone = m.group(8) != null ? offset(m.group(8)) : run.offsetFor(local);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("invalid time zone offset");
        }
        out.append('T').append(two(h)).append(':').append(two(min)).append(':').append(two(sec));
        if (m.group(7) != null) {
            out.append('.').append(m.group(7));
        }
        out.append(zone.getId());
        return out.toString();
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }
}
