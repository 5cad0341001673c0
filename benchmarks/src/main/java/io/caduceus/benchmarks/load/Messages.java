package io.caduceus.benchmarks.load;

import java.nio.charset.StandardCharsets;

/**
 * Synthetic but realistic load: an even mix of ADT^A04 registrations and ORU^R01 lab results, every message with its
 * own control id and a patient out of 10,000, so the vault sees many patients' data keys and no message is a
 * duplicate of another.
 */
final class Messages {

    private static final String[] SURNAMES = {"Smith", "Garcia", "Müller", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Haddad"};

    private Messages() {
    }

    /** MSH-10 of message {@code i} of a run: what the per-message log names it by. */
    static String controlId(String runId, long i) {
        return runId + "-" + i;
    }

    static byte[] message(String runId, long i) {
        String controlId = controlId(runId, i);
        long patient = i % 10_000;
        String surname = SURNAMES[(int) (patient % SURNAMES.length)];
        String ts = "202611251015" + String.format("%02d", i % 60);
        String text;
        if (i % 2 == 0) {
            text = "MSH|^~\\&|LOADHIS|GENERAL|CADUCEUS|HUB|" + ts + "||ADT^A04^ADT_A01|" + controlId + "|P|2.5.1\r"
                    + "EVN|A04|" + ts + "\r"
                    + "PID|1||MRN" + patient + "^^^GENERAL^MR||" + surname + "^Alex^J^^^^L||19" + (50 + patient % 50) + "0315|"
                    + (patient % 2 == 0 ? "F" : "M") + "|||12 Main St^^Springfield^IL^62701^USA^H||^PRN^PH^^1^217^5550" + (patient % 1000) + "\r"
                    + "PV1|1|O|CLINIC^101^1^GENERAL||||1234^Welby^Marcus^^^Dr|||MED\r";
        } else {
            text = "MSH|^~\\&|LOADLIS|GENERAL|CADUCEUS|HUB|" + ts + "||ORU^R01^ORU_R01|" + controlId + "|P|2.5.1\r"
                    + "PID|1||MRN" + patient + "^^^GENERAL^MR||" + surname + "^Alex||19700315|F\r"
                    + "OBR|1|ORD" + i + "|FIL" + i + "|24323-8^Comprehensive metabolic panel^LN|||" + ts + "|||||||||||||||" + ts + "||CH|F\r"
                    + "OBX|1|NM|2345-7^Glucose^LN||" + (70 + i % 60) + "|mg/dL^mg/dL^UCUM|70-99|" + (i % 60 > 29 ? "H" : "N") + "|||F|||" + ts + "\r"
                    + "OBX|2|NM|2951-2^Sodium^LN||" + (135 + i % 10) + "|mmol/L^mmol/L^UCUM|135-145|N|||F|||" + ts + "\r";
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
