package io.caduceus.verifier;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code java -jar caduceus-verifier.jar --proof FILE [--record FILE] --rpc URL [--json] [--min-confirmations N]
 * [--chain-id N] [--timeout SECONDS]}. Exit 0 valid, 1 invalid, 2 could not decide (including unusable arguments
 * and unreadable files: nothing was shown either way).
 */
public final class VerifierCli {

    static final String USAGE = String.join("\n",
            "usage: java -jar caduceus-verifier.jar --proof FILE [--record FILE] --rpc URL [options]",
            "  --proof FILE              the proof bundle (caduceus.proof.v1 JSON)",
            "  --record FILE             the record (FHIR JSON) the bundle is about; without it only the",
            "                            commitment's logging and anchoring are proven",
            "  --rpc URL                 your own Ethereum JSON-RPC endpoint (http or https)",
            "  --json                    print one JSON object instead of the text report",
            "  --min-confirmations N     require N confirmations of the anchoring block (default 1)",
            "  --chain-id N              require the anchor to be on chain N (1 = Ethereum mainnet)",
            "  --timeout SECONDS         deadline of each RPC call (default 10)",
            "exit status: 0 valid, 1 invalid, 2 could not decide",
            "");

    private VerifierCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The whole command without {@code System.exit}, for tests and embedding. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        // web3j logs through SLF4J; the jar ships no backend, and the "no provider" notice would only confuse auditors.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        String proof = null;
        String record = null;
        String rpc = null;
        boolean json = false;
        VerifierOptions options = VerifierOptions.defaults();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--proof" -> proof = value(args, ++i, arg);
                    case "--record" -> record = value(args, ++i, arg);
                    case "--rpc" -> rpc = value(args, ++i, arg);
                    case "--json" -> json = true;
                    case "--min-confirmations" -> options = options.withMinConfirmations(number(args, ++i, arg));
                    case "--chain-id" -> options = options.withExpectedChainId(number(args, ++i, arg));
                    case "--timeout" -> options = options.withRpcTimeout(Duration.ofSeconds(number(args, ++i, arg)));
                    case "-h", "--help" -> {
                        out.print(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            if (proof == null || rpc == null) {
                throw new IllegalArgumentException("--proof and --rpc are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("caduceus-verifier: " + e.getMessage());
            err.print(USAGE);
            return Verdict.Result.UNDECIDED.exitCode();
        }
        String bundleJson;
        Optional<String> recordJson;
        try {
            bundleJson = readUtf8(Path.of(proof));
            recordJson = record == null ? Optional.empty() : Optional.of(readUtf8(Path.of(record)));
        } catch (IOException | RuntimeException e) {
            err.println("caduceus-verifier: cannot read input: " + e.getMessage());
            return Verdict.Result.UNDECIDED.exitCode();
        }
        long start = System.nanoTime();
        Verdict verdict = ProofVerifier.verify(bundleJson, recordJson, rpc, options);
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (json) {
            out.println(verdict.toJson());
        } else {
            out.print(verdict.toText());
            out.println("(verified in " + millis + " ms)");
        }
        out.flush();
        return verdict.exitCode();
    }

    /** Strict UTF-8: a record that is not UTF-8 cannot be the one whose canonical bytes were committed. */
    private static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not UTF-8", e);
        }
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static long number(String[] args, int i, String name) {
        String v = value(args, i, name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a whole number, got " + v);
        }
    }
}
