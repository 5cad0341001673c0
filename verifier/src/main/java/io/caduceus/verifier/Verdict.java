package io.caduceus.verifier;

import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.proof.ProofCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a verification: valid, invalid or could not decide, with every check that led to it.
 *
 * <p>Invariant the auditor can rely on: the verdict is {@link Result#INVALID} exactly when at least one check
 * {@code FAILED}. A check that could not be carried out (endpoint down, bundle unreadable, too few confirmations) is
 * {@code SKIPPED}, and {@link #reason()} says why the verdict is {@link Result#UNDECIDED}.
 *
 * @param recordId the bundle's record id when it could be read; informational, nothing proves it
 * @param anchor   the anchor as the chain reports it, once the receipt and its block were read
 */
public record Verdict(Result result, String reason, Optional<String> recordId, List<ProofCheck> checks,
                      Optional<AnchorFacts> anchor) {

    /** Output format of {@link #toJson()}; bumped only for incompatible changes. */
    public static final String JSON_FORMAT = "caduceus.verifier.result.v1";

    public enum Result {
        VALID(0), INVALID(1), UNDECIDED(2);

        private final int exitCode;

        Result(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }

        /** The lowercase word used in JSON output: {@code valid}, {@code invalid}, {@code undecided}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Verdict {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(recordId, "recordId");
        checks = List.copyOf(checks);
        Objects.requireNonNull(anchor, "anchor");
    }

    public int exitCode() {
        return result.exitCode();
    }

    public boolean isValid() {
        return result == Result.VALID;
    }

    /** The check of that name, if it was made. */
    public Optional<ProofCheck> check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * One JSON object in RFC 8785 canonical form (members sorted, so scripts can diff outputs):
     * {@code {"anchor":{...}|null,"checks":[{"detail","name","outcome"}],"exitCode","format","reason","recordId",
     * "verdict"}}.
     */
    public String toJson() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("format", JSON_FORMAT);
        map.put("verdict", result.word());
        map.put("exitCode", result.exitCode());
        map.put("reason", reason);
        map.put("recordId", recordId.orElse(null));
        List<Object> list = new ArrayList<>();
        for (ProofCheck c : checks) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", c.name());
            check.put("outcome", c.outcome().name());
            check.put("detail", c.detail());
            list.add(check);
        }
        map.put("checks", list);
        map.put("anchor", anchor.map(AnchorFacts::toJsonMap).orElse(null));
        return CanonicalJson.write(map);
    }

    /** The report for a person: one line per check, the anchor as the chain reports it, then the verdict. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("Caduceus proof verification (caduceus.proof.v1)\n");
        recordId.ifPresent(id -> out.append("record: ").append(id).append(" (informational, not proven)\n"));
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (ProofCheck c : checks) {
            out.append(String.format(Locale.ROOT, "  %-7s  %-" + width + "s  %s%n", c.outcome().name(), c.name(),
                    c.detail()));
        }
        anchor.ifPresent(a -> out.append(String.format(Locale.ROOT,
                "anchor (as the chain reports it): chain %d, contract %s, transaction %s, block %d at %s, "
                        + "%d confirmation%s%n",
                a.chainId(), a.contract(), a.transactionHash(), a.blockNumber(), a.blockTime(), a.confirmations(),
                a.confirmations() == 1 ? "" : "s")));
        String word = switch (result) {
            case VALID -> "VALID";
            case INVALID -> "INVALID";
            case UNDECIDED -> "COULD NOT DECIDE";
        };
        out.append("verdict: ").append(word).append(" (exit ").append(result.exitCode()).append("): ")
                .append(reason).append('\n');
        return out.toString();
    }
}
