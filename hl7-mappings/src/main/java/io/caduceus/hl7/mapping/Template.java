package io.caduceus.hl7.mapping;

import java.util.List;

/** A compiled {@code resources/NAME.yml}: the resource type, the paths its id derives from, and its rules. */
record Template(String resourceType, List<V2Path> identity, List<Rule> rules) {
}
