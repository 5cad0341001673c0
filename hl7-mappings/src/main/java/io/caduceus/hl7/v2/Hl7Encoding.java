package io.caduceus.hl7.v2;

/** The delimiters a message declares for itself in MSH-1 and MSH-2. A missing delimiter is stored as 0. */
record Hl7Encoding(char field, char component, char repetition, char escape, char subcomponent) {

    boolean isDelimiter(char c) {
        return c == field || c == component || (repetition != 0 && c == repetition)
                || (escape != 0 && c == escape) || (subcomponent != 0 && c == subcomponent);
    }
}
