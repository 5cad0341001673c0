package io.caduceus.hl7.mapping;

import java.util.List;

/** A compiled {@code messages/TYPE_TRIGGER.yml}: which segments become which resources. */
record MessageMap(String name, String description, List<Entry> entries) {

    /** One resource per matching segment (only the first one when repeat is false). */
    record Entry(String key, Template template, String segmentId, boolean repeat, Condition when,
            List<Rule> extraRules) {
    }
}
