package io.caduceus.edge.hl7;

/**
 * Which acknowledgements a message gets and where they go, per HL7 v2 chapter 2. The one place the modes are decided;
 * {@link Hl7Acknowledger} writes the answer on the originating connection, {@link ApplicationAcknowledger} the
 * application acknowledgement, wherever it goes.
 *
 * <pre>
 * MSH-15 and MSH-16 both empty (original mode): AA/AE/AR on the connection, always.
 *
 * Enhanced mode (either valued). Commit ACK on the connection: CA once the message is stored (in the vault, or in
 * quarantine for its content), CE when Caduceus could not store it, CR when it will not accept it (unsupported type
 * or version, unreadable); sent as MSH-15 asks:
 *   AL, empty or unknown  always        NE  never        ER  CE/CR only        SU  CA only
 * Application ACK (AA/AE/AR, MSA-2 = MSH-10, ERR on errors), as MSH-16 asks:
 *   AL  always        ER  AE/AR only        SU  AA only        NE, empty or unknown  never
 *   - destination configured for the sender (MSH-3^MSH-4): a new message over its own connection, asking for the
 *     sender's commit ACK (MSH-15 AL), retried; the originating connection gets the commit ACK alone.
 *   - no destination: on the originating connection, right after the commit ACK when that is sent too, before the
 *     connection's next message is read; it asks for nothing back (MSH-15/16 NE), since whatever the sender answered
 *     on this connection would arrive as a new message.
 *   - never for a message Caduceus could not store (the commit ACK is CE, the sender resends) nor for quarantine
 *     reprocessing (its answer goes to the operator).
 *
 * So, without a destination: AL/AL gives CA then AA (or CA then AE when quarantined); NE/AL gives AA alone; ER/AL
 * gives AA, AE alone, or CR then AR; NE/NE, SU/ER on success and ER/SU on a quarantine give nothing.
 * </pre>
 */
final class AckModes {

    private AckModes() {
    }

    /**
     * MSH-15: AL, empty (only MSH-16 valued) or an unknown value always; NE never; ER when the commit failed (CE, CR);
     * SU when it succeeded (CA, a quarantined message included).
     */
    static boolean commitAckDue(String acceptAckType, AckCode commitCode) {
        return switch (acceptAckType) {
            case "NE" -> false;
            case "ER" -> commitCode != AckCode.CA;
            case "SU" -> commitCode == AckCode.CA;
            default -> true;
        };
    }

    /** MSH-16: AL always, ER on errors, SU on success; NE, empty or an unknown value never. */
    static boolean applicationAckDue(String applicationAckType, AckCode.Outcome outcome) {
        return switch (applicationAckType) {
            case "AL" -> true;
            case "ER" -> outcome != AckCode.Outcome.ACCEPTED;
            case "SU" -> outcome == AckCode.Outcome.ACCEPTED;
            default -> false;
        };
    }

    /** Whether MSH-16 asks for application acknowledgements for some outcome. */
    static boolean applicationAcksAsked(String applicationAckType) {
        return "AL".equals(applicationAckType) || "ER".equals(applicationAckType) || "SU".equals(applicationAckType);
    }
}
