package io.caduceus.core.proof;

/** One named step of a proof verification and its outcome, so a verifier can show an auditor what was checked. */
public record ProofCheck(String name, Outcome outcome, String detail) {

    public enum Outcome { PASSED, FAILED, SKIPPED }

    public static ProofCheck passed(String name, String detail) {
        return new ProofCheck(name, Outcome.PASSED, detail);
    }

    public static ProofCheck failed(String name, String detail) {
        return new ProofCheck(name, Outcome.FAILED, detail);
    }

    public static ProofCheck skipped(String name, String detail) {
        return new ProofCheck(name, Outcome.SKIPPED, detail);
    }
}
