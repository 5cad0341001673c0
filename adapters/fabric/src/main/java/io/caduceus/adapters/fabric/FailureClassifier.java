package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hyperledger.fabric.client.CommitException;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.TransactionException;
import org.hyperledger.fabric.protos.gateway.ErrorDetail;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * Turns what the Fabric Gateway SDK throws into a {@link LedgerException} of the right {@link Kind}: the one place
 * that decides what is worth retrying.
 *
 * <p>The chaincode puts its {@code RegistryError} name in the {@code ChaincodeException} payload, but the peer's
 * gateway forwards only the response message ({@code "chaincode response 500, <message>"}), so the code is recovered
 * from the message: a leading error name if the chaincode ever prefixes one, otherwise the chaincode's known
 * phrasings. A chaincode refusal wins over every transient cause found beside it, because resubmitting would only be
 * refused again.
 */
final class FailureClassifier {

    /** The RecordRegistry error names (chaincode module's {@code RegistryError}). */
    static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
    static final String CONFLICT = "CONFLICT";
    static final String NOT_FOUND = "NOT_FOUND";
    static final String FORBIDDEN = "FORBIDDEN";
    static final String NON_MONOTONIC = "NON_MONOTONIC";
    private static final List<String> REGISTRY_ERRORS =
            List.of(INVALID_ARGUMENT, CONFLICT, NOT_FOUND, FORBIDDEN, NON_MONOTONIC);

    private static final Pattern CHAINCODE_RESPONSE = Pattern.compile("chaincode response (\\d{3}), ?(.*)",
            Pattern.DOTALL);
    private static final Pattern LEADING_CODE = Pattern.compile("\\[?([A-Z_]+)\\]?(?::|\\s|$).*", Pattern.DOTALL);
    private static final Pattern ORDERER_STATUS =
            Pattern.compile("unsuccessful response from orderer: ([A-Z_]+)");
    /** Commitments and pseudonyms are 64 hex digits; a message must never carry them, whoever wrote it. */
    private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{64,}");
    /** Room for a few 64-digit transaction and package ids, which stay readable. */
    private static final int MAX_DETAIL = 480;

    /** The RecordRegistry's phrasings, in case the payload (which holds the code) did not make it through. */
    private static final List<Phrase> PHRASES = List.of(
            new Phrase("with different content", CONFLICT),
            new Phrase("with a different receipt", CONFLICT),
            new Phrase("with a different root", CONFLICT),
            new Phrase("is below the latest anchored tree size", NON_MONOTONIC),
            new Phrase("no ledger entry for", NOT_FOUND),
            new Phrase("no history for", NOT_FOUND),
            new Phrase("no batch recorded by", NOT_FOUND),
            new Phrase("no access events recorded by", NOT_FOUND),
            new Phrase("no anchor receipt", NOT_FOUND),
            new Phrase("no grant for", NOT_FOUND),
            new Phrase("caller may not", FORBIDDEN),
            new Phrase("caller identity is unavailable", FORBIDDEN),
            new Phrase("caller has no access", FORBIDDEN),
            new Phrase("a batch holds", INVALID_ARGUMENT),
            new Phrase("must be a json", INVALID_ARGUMENT),
            new Phrase("is not valid json", INVALID_ARGUMENT),
            new Phrase("has content after the json value", INVALID_ARGUMENT),
            new Phrase("has an unknown field", INVALID_ARGUMENT),
            new Phrase("is missing", INVALID_ARGUMENT),
            new Phrase("must be", INVALID_ARGUMENT),
            new Phrase("malformed", INVALID_ARGUMENT),
            new Phrase("is not an iso-8601 instant", INVALID_ARGUMENT),
            new Phrase("contains a control character", INVALID_ARGUMENT),
            new Phrase("is empty", INVALID_ARGUMENT));

    private record Phrase(String text, String code) {
    }

    private FailureClassifier() {
    }

    /**
     * Classifies any failure of a ledger call.
     *
     * @param operation the transaction or call name, for the message (e.g. {@code PutEntries})
     * @param transactionId the transaction id if the caller knows it and the exception does not carry one, or null
     */
    static LedgerException classify(String operation, Throwable failure, String transactionId) {
        if (failure instanceof LedgerException ledger) {
            return ledger;
        }
        if (failure instanceof CommitException commit) {
            return fromValidationCode(operation, commit.getTransactionId(), commit.getCode(), -1, commit);
        }
        if (failure instanceof TransactionException tx) {
            return fromGrpc(operation, tx.getStatus(), tx.getDetails(), firstNonEmpty(tx.getTransactionId(),
                    transactionId), tx);
        }
        if (failure instanceof GatewayException gateway) {
            return fromGrpc(operation, gateway.getStatus(), gateway.getDetails(), transactionId, gateway);
        }
        if (failure instanceof GatewayRuntimeException gateway) {
            return fromGrpc(operation, gateway.getStatus(), gateway.getDetails(), transactionId, gateway);
        }
        if (failure instanceof StatusRuntimeException grpc) {
            return fromGrpc(operation, grpc.getStatus(), List.of(), transactionId, grpc);
        }
        return new LedgerException(Kind.UNKNOWN, operation + " failed: " + failure.getClass().getSimpleName(),
                transactionId, null, null, failure);
    }

    /** A transaction that reached a block but was marked invalid there. */
    static LedgerException fromValidationCode(String operation, String transactionId, TxValidationCode code,
            long blockNumber, Throwable cause) {
        Kind kind = switch (code) {
            case MVCC_READ_CONFLICT -> Kind.MVCC_CONFLICT;
            case PHANTOM_READ_CONFLICT -> Kind.PHANTOM_READ_CONFLICT;
            case ENDORSEMENT_POLICY_FAILURE -> Kind.ENDORSEMENT_POLICY_FAILURE;
            // VALID never arrives here; if it did, something upstream misread the status.
            case VALID, UNRECOGNIZED -> Kind.UNKNOWN;
            default -> Kind.INVALID_TRANSACTION;
        };
        String where = blockNumber >= 0 ? " in block " + blockNumber : "";
        return new LedgerException(kind, operation + " was invalidated" + where + " with " + code.name(),
                transactionId, null, code.name(), cause);
    }

    static LedgerException fromGrpc(String operation, Status status, List<ErrorDetail> details, String transactionId,
            Throwable cause) {
        List<String> messages = new ArrayList<>();
        if (status.getDescription() != null) {
            messages.add(status.getDescription());
        }
        for (ErrorDetail detail : details) {
            messages.add(detail.getMessage());
        }
        String message = operation + " failed: gRPC " + status.getCode() + describe(status, details, transactionId);

        Optional<String> chaincodeError = chaincodeError(messages);
        if (chaincodeError.isPresent()) {
            // Only a chaincode refusal can produce this; the gateway reports it as UNKNOWN (evaluate) or ABORTED.
            String code = chaincodeError.get();
            return new LedgerException(kindOfChaincodeError(code), message, transactionId, code, null, cause);
        }
        Kind kind = switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> Kind.TIMEOUT;
            case UNAVAILABLE, RESOURCE_EXHAUSTED, CANCELLED -> Kind.UNAVAILABLE;
            case PERMISSION_DENIED, UNAUTHENTICATED -> Kind.FORBIDDEN;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> Kind.INVALID_ARGUMENT;
            case NOT_FOUND, UNIMPLEMENTED -> Kind.MISCONFIGURED;
            case ALREADY_EXISTS -> Kind.CONFLICT;
            // The gateway's own checks (ACLs, signatures) or no endorsement plan: the latter is peers being down.
            case FAILED_PRECONDITION -> mentionsAccessDenied(messages) ? Kind.FORBIDDEN : Kind.UNAVAILABLE;
            case ABORTED -> fromAbortedDetails(messages);
            case UNKNOWN, INTERNAL, DATA_LOSS, OK -> Kind.UNKNOWN;
        };
        return new LedgerException(kind, message, transactionId, null, null, cause);
    }

    /**
     * ABORTED covers both "the peers said no" and "the peers could not answer"; only the details tell which. What the
     * gateway itself generates without a chaincode response (a chaincode container down, an execution timeout) is
     * transient.
     */
    private static Kind fromAbortedDetails(List<String> messages) {
        for (String m : messages) {
            Matcher orderer = ORDERER_STATUS.matcher(m);
            if (orderer.find()) {
                return switch (orderer.group(1)) {
                    case "BAD_REQUEST", "REQUEST_ENTITY_TOO_LARGE" -> Kind.INVALID_ARGUMENT;
                    case "FORBIDDEN" -> Kind.FORBIDDEN;
                    case "NOT_FOUND" -> Kind.MISCONFIGURED;
                    default -> Kind.UNAVAILABLE;
                };
            }
        }
        if (mentionsAccessDenied(messages)) {
            return Kind.FORBIDDEN;
        }
        for (String m : messages) {
            String lower = m.toLowerCase(Locale.ROOT);
            if (lower.contains("do not match")) {
                return Kind.ENDORSEMENT_MISMATCH;
            }
        }
        for (String m : messages) {
            if (m.toLowerCase(Locale.ROOT).contains("timeout")) {
                return Kind.TIMEOUT;
            }
        }
        return Kind.UNAVAILABLE;
    }

    private static boolean mentionsAccessDenied(List<String> messages) {
        for (String m : messages) {
            String lower = m.toLowerCase(Locale.ROOT);
            if (lower.contains("access denied") || lower.contains("permission denied")
                    || lower.contains("creator is malformed") || lower.contains("signature is invalid")) {
                return true;
            }
        }
        return false;
    }

    /** The RegistryError name in a chaincode response found among the messages, or {@code UNRECOGNIZED}. */
    static Optional<String> chaincodeError(List<String> messages) {
        for (String m : messages) {
            Matcher response = CHAINCODE_RESPONSE.matcher(m);
            if (response.find()) {
                return Optional.of(registryError(response.group(2)));
            }
        }
        return Optional.empty();
    }

    static String registryError(String chaincodeMessage) {
        String text = chaincodeMessage.strip();
        Matcher leading = LEADING_CODE.matcher(text);
        if (leading.matches() && REGISTRY_ERRORS.contains(leading.group(1))) {
            return leading.group(1);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        for (Phrase phrase : PHRASES) {
            if (lower.contains(phrase.text())) {
                return phrase.code();
            }
        }
        return "UNRECOGNIZED";
    }

    static Kind kindOfChaincodeError(String code) {
        return switch (code) {
            case CONFLICT -> Kind.CONFLICT;
            case FORBIDDEN -> Kind.FORBIDDEN;
            case INVALID_ARGUMENT -> Kind.INVALID_ARGUMENT;
            default -> Kind.CHAINCODE_REJECTED;
        };
    }

    private static String describe(Status status, List<ErrorDetail> details, String transactionId) {
        StringBuilder out = new StringBuilder();
        if (status.getDescription() != null) {
            out.append(": ").append(sanitize(status.getDescription(), transactionId));
        }
        for (ErrorDetail detail : details) {
            out.append("; ").append(detail.getMspId()).append('@').append(detail.getAddress()).append(": ")
                    .append(sanitize(detail.getMessage(), transactionId));
        }
        return out.toString();
    }

    static String sanitize(String text) {
        return sanitize(text, null);
    }

    /**
     * Peer and chaincode messages end up in our logs: cap them and strip anything shaped like a digest (commitments
     * and pseudonyms are 64 hex digits), except the two such things an operator needs to act on and that say nothing
     * about a patient: transaction ids (the call's own, or one a peer names as {@code txid}/{@code transaction}) and
     * chaincode package ids ({@code label:hex}).
     */
    static String sanitize(String text, String transactionId) {
        Matcher hex = LONG_HEX.matcher(text);
        StringBuilder clean = new StringBuilder(text.length());
        while (hex.find()) {
            String run = hex.group();
            boolean keep = run.equalsIgnoreCase(transactionId) || namesTransaction(text, hex.start())
                    || isPackageIdHash(text, hex.start());
            hex.appendReplacement(clean, keep ? run : "<redacted>");
        }
        hex.appendTail(clean);
        return clean.length() <= MAX_DETAIL ? clean.toString() : clean.substring(0, MAX_DETAIL) + "...";
    }

    private static final Pattern TRANSACTION_LABEL =
            Pattern.compile("(?i)(?:tx_?id|transaction(?: id)?|txn)[\\s:=\\[\"'(]*$");
    /** A chaincode package label: a name, then a version after '_' or '.', as the devnet and Fabric's docs name them. */
    private static final Pattern PACKAGE_LABEL = Pattern.compile("[A-Za-z][A-Za-z0-9]*[_.][A-Za-z0-9_.+-]{0,62}:$");

    private static boolean namesTransaction(String text, int start) {
        return TRANSACTION_LABEL.matcher(text.substring(Math.max(0, start - 24), start)).find();
    }

    /** {@code recordregistry_1.0:<hex>}; a pseudonym ({@code pp1_<hex>}) has no colon before its digits. */
    private static boolean isPackageIdHash(String text, int start) {
        return PACKAGE_LABEL.matcher(text.substring(Math.max(0, start - 65), start)).find();
    }

    private static String firstNonEmpty(String a, String b) {
        return a != null && !a.isEmpty() ? a : b;
    }
}
