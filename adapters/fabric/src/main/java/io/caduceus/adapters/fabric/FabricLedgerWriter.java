package io.caduceus.adapters.fabric;

import io.caduceus.ingest.ledger.LedgerWriter;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.CommitResult;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.json.JsonException;
import io.caduceus.core.json.JsonFields;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.Proposal;
import org.hyperledger.fabric.client.Status;
import org.hyperledger.fabric.client.SubmittedTransaction;
import org.hyperledger.fabric.client.Transaction;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ProcessedTransaction;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * {@link LedgerWriter} and {@link ConsentLedger} over the Fabric Gateway. Deadlines are set per call type on the Gateway connection (see
 * {@link FabricConnection}), so every call made here is bounded without repeating them.
 */
final class FabricLedgerWriter implements LedgerWriter, ConsentLedger {

    static final String PUT_ENTRIES = "PutEntries";
    static final String GET_BATCH = "GetBatch";
    static final String PUT_ACCESS_EVENTS = "PutAccessEvents";
    static final String GET_ACCESS_BATCH = "GetAccessBatch";
    static final String PUT_ANCHOR_RECEIPT = "PutAnchorReceipt";
    static final String GET_LATEST_ANCHOR_RECEIPT = "GetLatestAnchorReceipt";
    static final String GET_CHAIN_INFO = "GetChainInfo";
    static final String GET_TRANSACTION_BY_ID = "GetTransactionByID";
    static final String GRANT_ACCESS = "GrantAccess";
    static final String REVOKE_ACCESS = "RevokeAccess";
    static final String CHECK_ACCESS = "CheckAccess";

    private final Contract registry;
    private final Contract qscc;
    private final String channel;

    FabricLedgerWriter(Contract registry, Contract qscc, String channel) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.qscc = Objects.requireNonNull(qscc, "qscc");
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public CommitResult putEntries(List<LedgerEntry> batch) {
        Objects.requireNonNull(batch, "batch");
        if (batch.isEmpty() || batch.size() > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH_SIZE + " entries, not "
                    + batch.size());
        }
        List<Object> items = new ArrayList<>(batch.size());
        for (LedgerEntry entry : batch) {
            items.add(entry.toJsonMap());
        }
        Committed committed = submit(PUT_ENTRIES, CanonicalJson.write(items));
        return parseSummary(PUT_ENTRIES, committed);
    }

    @Override
    public CommitResult putAccessEvents(List<String> accessEventsJson) {
        Objects.requireNonNull(accessEventsJson, "accessEventsJson");
        if (accessEventsJson.isEmpty() || accessEventsJson.size() > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH_SIZE + " access events, not "
                    + accessEventsJson.size());
        }
        // Each event is JSON already (canonical from the middleware); the chaincode validates every field.
        return parseSummary(PUT_ACCESS_EVENTS, submit(PUT_ACCESS_EVENTS, "[" + String.join(",", accessEventsJson) + "]"));
    }

    @Override
    public Optional<String> batch(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return evaluateOrNotFound(GET_BATCH, transactionId);
    }

    @Override
    public List<LedgerEntry> committedEntries(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        byte[] bytes;
        try {
            bytes = qscc.evaluateTransaction(GET_TRANSACTION_BY_ID, channel, transactionId);
        } catch (GatewayException | GatewayRuntimeException | StatusRuntimeException e) {
            LedgerException failure = FailureClassifier.classify(GET_TRANSACTION_BY_ID, e, transactionId);
            // qscc's answer for an id it does not know: "no such transaction ID [..] in index".
            if (failure.getMessage().contains("no such transaction")) {
                return List.of();
            }
            throw failure;
        }
        try {
            return entriesOf(ProcessedTransaction.parseFrom(bytes), transactionId);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new LedgerException(LedgerException.Kind.UNKNOWN, GET_TRANSACTION_BY_ID
                    + " returned no readable transaction", transactionId, null, null, e);
        }
    }

    /** The entries of the {@code EntriesCommitted} event in a valid transaction's first chaincode action. */
    static List<LedgerEntry> entriesOf(ProcessedTransaction processed, String transactionId)
            throws com.google.protobuf.InvalidProtocolBufferException {
        if (processed.getValidationCode() != TxValidationCode.VALID_VALUE) {
            return List.of();
        }
        Payload payload = Payload.parseFrom(processed.getTransactionEnvelope().getPayload());
        org.hyperledger.fabric.protos.peer.Transaction transaction =
                org.hyperledger.fabric.protos.peer.Transaction.parseFrom(payload.getData());
        for (TransactionAction action : transaction.getActionsList()) {
            ChaincodeActionPayload actionPayload = ChaincodeActionPayload.parseFrom(action.getPayload());
            ProposalResponsePayload response = ProposalResponsePayload.parseFrom(
                    actionPayload.getAction().getProposalResponsePayload());
            ChaincodeEvent event = ChaincodeEvent.parseFrom(ChaincodeAction.parseFrom(response.getExtension())
                    .getEvents());
            if (BlockEventFollower.EVENT_ENTRIES_COMMITTED.equals(event.getEventName())) {
                return BlockEventFollower.entries(event.getPayload().toByteArray(), transactionId);
            }
        }
        return List.of();
    }

    @Override
    public Optional<String> accessBatch(String transactionId) {
        Objects.requireNonNull(transactionId, "transactionId");
        return evaluateOrNotFound(GET_ACCESS_BATCH, transactionId);
    }

    @Override
    public void putAnchorReceipt(AnchorReceipt receipt) {
        Objects.requireNonNull(receipt, "receipt");
        submit(PUT_ANCHOR_RECEIPT, receipt.toJson());
    }

    @Override
    public Optional<AnchorReceipt> latestAnchorReceipt() {
        Optional<String> json = evaluateOrNotFound(GET_LATEST_ANCHOR_RECEIPT);
        try {
            return json.map(text -> {
                if (!(CanonicalJson.parse(text) instanceof Map<?, ?> map)) {
                    throw new JsonException("an anchor receipt must be a JSON object");
                }
                return AnchorReceipt.fromJsonMap(map);
            });
        } catch (IllegalArgumentException e) {
            throw unreadable(GET_LATEST_ANCHOR_RECEIPT, e);
        }
    }

    @Override
    public long blockHeight() {
        byte[] bytes;
        try {
            bytes = qscc.evaluateTransaction(GET_CHAIN_INFO, channel);
        } catch (GatewayException | GatewayRuntimeException | StatusRuntimeException e) {
            throw FailureClassifier.classify(GET_CHAIN_INFO, e, null);
        }
        try {
            return BlockchainInfo.parseFrom(bytes).getHeight();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new LedgerException(LedgerException.Kind.UNKNOWN, GET_CHAIN_INFO + " returned no BlockchainInfo", e);
        }
    }

    @Override
    public ConsentChange grantAccess(String pseudonym, String grantee, Optional<Instant> expiresAt) {
        Objects.requireNonNull(pseudonym, "pseudonym");
        Objects.requireNonNull(grantee, "grantee");
        Objects.requireNonNull(expiresAt, "expiresAt");
        // The chaincode's "no expiry" is the empty string.
        return consentChange(GRANT_ACCESS, submit(GRANT_ACCESS, pseudonym, grantee,
                expiresAt.map(Instant::toString).orElse("")));
    }

    @Override
    public ConsentChange revokeAccess(String pseudonym, String grantee) {
        Objects.requireNonNull(pseudonym, "pseudonym");
        Objects.requireNonNull(grantee, "grantee");
        return consentChange(REVOKE_ACCESS, submit(REVOKE_ACCESS, pseudonym, grantee));
    }

    @Override
    public AccessDecision checkAccess(String pseudonym, String grantee) {
        Objects.requireNonNull(pseudonym, "pseudonym");
        Objects.requireNonNull(grantee, "grantee");
        byte[] result;
        try {
            // An empty instant: the peer judges at the proposal's time, which it bounds against its own clock.
            result = registry.evaluateTransaction(CHECK_ACCESS, pseudonym, grantee, "");
        } catch (GatewayException | GatewayRuntimeException | StatusRuntimeException e) {
            throw FailureClassifier.classify(CHECK_ACCESS, e, null);
        }
        try {
            if (!(CanonicalJson.parse(new String(result, StandardCharsets.UTF_8)) instanceof Map<?, ?> map)
                    || !(map.get("allowed") instanceof Boolean allowed)) {
                throw new JsonException("the " + CHECK_ACCESS + " result must be an object with a boolean allowed");
            }
            return new AccessDecision(allowed, JsonFields.string(map, "reason"));
        } catch (IllegalArgumentException e) {
            throw unreadable(CHECK_ACCESS, e);
        }
    }

    /** The grant the chaincode returned ({@code grantee, grantedAt, expiresAt?, revokedAt?, ...}), with its commit. */
    private static ConsentChange consentChange(String transaction, Committed committed) {
        try {
            if (!(CanonicalJson.parse(new String(committed.result(), StandardCharsets.UTF_8)) instanceof Map<?, ?> grant)) {
                throw new JsonException("the " + transaction + " result must be a JSON object");
            }
            return new ConsentChange(committed.transactionId(), committed.blockNumber(),
                    JsonFields.string(grant, "grantee"), Instant.parse(JsonFields.string(grant, "grantedAt")),
                    optionalInstant(grant, "expiresAt"), optionalInstant(grant, "revokedAt"));
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            // Committed, so not worth retrying; the transaction id says where to look.
            throw new LedgerException(LedgerException.Kind.CHAINCODE_REJECTED, transaction
                    + " committed but returned an unreadable grant (" + e.getClass().getSimpleName() + ")",
                    committed.transactionId(), "UNREADABLE_RESULT", committed.validationCode(), e);
        }
    }

    private static Instant optionalInstant(Map<?, ?> map, String field) {
        return map.get(field) == null ? null : Instant.parse(JsonFields.string(map, field));
    }

    private record Committed(String transactionId, long blockNumber, String validationCode, byte[] result) {
    }

    /**
     * Endorses, submits and waits for the commit status as separate steps, so that a failure in any of them still
     * knows the transaction id and an invalid transaction reports its block.
     */
    private Committed submit(String transaction, String... arguments) {
        String transactionId = null;
        try {
            Proposal proposal = registry.newProposal(transaction).addArguments(arguments).build();
            transactionId = proposal.getTransactionId();
            Transaction endorsed = proposal.endorse();
            SubmittedTransaction submitted = endorsed.submitAsync();
            Status status = submitted.getStatus();
            if (!status.isSuccessful()) {
                throw FailureClassifier.fromValidationCode(transaction, transactionId, status.getCode(),
                        status.getBlockNumber(), null);
            }
            return new Committed(transactionId, status.getBlockNumber(), status.getCode().name(),
                    submitted.getResult());
        } catch (GatewayException | GatewayRuntimeException | StatusRuntimeException e) {
            throw FailureClassifier.classify(transaction, e, transactionId);
        }
    }

    private Optional<String> evaluateOrNotFound(String transaction, String... arguments) {
        try {
            byte[] result = registry.evaluateTransaction(transaction, arguments);
            return Optional.of(new String(result, StandardCharsets.UTF_8));
        } catch (GatewayException | GatewayRuntimeException | StatusRuntimeException e) {
            LedgerException failure = FailureClassifier.classify(transaction, e, null);
            if (failure.chaincodeError().filter(FailureClassifier.NOT_FOUND::equals).isPresent()) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    private static CommitResult parseSummary(String transaction, Committed committed) {
        String text = new String(committed.result(), StandardCharsets.UTF_8);
        try {
            if (!(CanonicalJson.parse(text) instanceof Map<?, ?> summary)) {
                throw new JsonException("the " + transaction + " result must be a JSON object");
            }
            return new CommitResult(committed.transactionId(), committed.blockNumber(), committed.validationCode(),
                    Math.toIntExact(JsonFields.integer(summary, "count")), JsonFields.string(summary, "batchDigest"));
        } catch (IllegalArgumentException | ArithmeticException e) {
            // Committed, but we cannot tell what it did. Not retriable: a retry would commit the same batch again and
            // leave the same unreadable answer.
            throw new LedgerException(LedgerException.Kind.CHAINCODE_REJECTED,
                    transaction + " committed but returned an unreadable summary (" + e.getMessage() + ")",
                    committed.transactionId(), "UNREADABLE_RESULT", committed.validationCode(), e);
        }
    }

    private static LedgerException unreadable(String transaction, RuntimeException e) {
        // JsonException and core validation name fields, never values.
        return new LedgerException(LedgerException.Kind.UNKNOWN, transaction + " returned an unreadable answer ("
                + e.getMessage() + ")", e);
    }
}
