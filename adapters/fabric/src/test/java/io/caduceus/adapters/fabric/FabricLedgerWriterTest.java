package io.caduceus.adapters.fabric;

import static io.caduceus.adapters.fabric.GatewayErrors.grpcError;
import static io.caduceus.ingest.ledger.TestEntries.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.LedgerEntry;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.ingest.ledger.CommitResult;
import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.TestEntries;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.client.CommitStatusException;
import org.hyperledger.fabric.client.Contract;
import org.hyperledger.fabric.client.EndorseException;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.Proposal;
import org.hyperledger.fabric.client.Status;
import org.hyperledger.fabric.client.SubmitException;
import org.hyperledger.fabric.client.SubmittedTransaction;
import org.hyperledger.fabric.client.Transaction;
import org.hyperledger.fabric.protos.common.BlockchainInfo;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

class FabricLedgerWriterTest {

    /** What the writer passes for a transaction without arguments: the varargs overload, not the one-arg one. */
    private static final String[] NO_ARGS = new String[0];

    private final Contract registry = mock(Contract.class);
    private final Contract qscc = mock(Contract.class);
    private final Proposal.Builder builder = mock(Proposal.Builder.class);
    private final Proposal proposal = mock(Proposal.class);
    private final Transaction transaction = mock(Transaction.class);
    private final SubmittedTransaction submitted = mock(SubmittedTransaction.class);
    private final Status status = mock(Status.class);
    private final FabricLedgerWriter writer = new FabricLedgerWriter(registry, qscc, "caduceus");

    @BeforeEach
    void gateway() throws Exception {
        when(registry.newProposal(any())).thenReturn(builder);
        when(builder.addArguments(any(String[].class))).thenReturn(builder);
        when(builder.build()).thenReturn(proposal);
        when(proposal.getTransactionId()).thenReturn("tx42");
        when(proposal.endorse()).thenReturn(transaction);
        when(transaction.getTransactionId()).thenReturn("tx42");
        when(transaction.submitAsync()).thenReturn(submitted);
        when(submitted.getStatus()).thenReturn(status);
        when(status.isSuccessful()).thenReturn(true);
        when(status.getCode()).thenReturn(TxValidationCode.VALID);
        when(status.getBlockNumber()).thenReturn(17L);
        when(status.getTransactionId()).thenReturn("tx42");
    }

    private void result(String json) {
        when(submitted.getResult()).thenReturn(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void putEntriesSendsTheCanonicalBatchAndReportsTheCommit() throws Exception {
        String digest = "5e".repeat(32);
        result("{\"batchDigest\":\"" + digest + "\",\"count\":3,\"submitter\":\"HospitalMSP\"}");
        List<LedgerEntry> batch = List.of(entry(1), entry(2), entry(3));

        CommitResult commit = writer.putEntries(batch);

        assertThat(commit).isEqualTo(new CommitResult("tx42", 17, "VALID", 3, digest));
        verify(registry).newProposal("PutEntries");
        ArgumentCaptor<String[]> args = ArgumentCaptor.forClass(String[].class);
        verify(builder).addArguments(args.capture());
        assertThat(args.getValue()).hasSize(1);
        String json = args.getValue()[0];
        assertThat(json).isEqualTo("[" + entry(1).toJson() + "," + entry(2).toJson() + "," + entry(3).toJson() + "]");
        assertThat(CanonicalJson.canonicalString(json)).isEqualTo(json);
    }

    @Test
    void batchSizeIsCheckedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> writer.putEntries(List.of())).isInstanceOf(IllegalArgumentException.class);
        List<LedgerEntry> tooMany = new ArrayList<>(Collections.nCopies(1001, entry(1)));
        assertThatThrownBy(() -> writer.putEntries(tooMany)).isInstanceOf(IllegalArgumentException.class);
        verify(registry, never()).newProposal(any());
    }

    @Test
    void anInvalidatedTransactionIsClassifiedWithItsIdAndBlock() {
        when(status.isSuccessful()).thenReturn(false);
        when(status.getCode()).thenReturn(TxValidationCode.MVCC_READ_CONFLICT);
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.MVCC_CONFLICT);
                    assertThat(e.isRetriable()).isTrue();
                    assertThat(e.transactionId()).contains("tx42");
                    assertThat(e.validationCode()).contains("MVCC_READ_CONFLICT");
                    assertThat(e.getMessage()).contains("block 17");
                });
    }

    @Test
    void anEndorsementRefusalIsClassified() throws Exception {
        when(proposal.endorse()).thenThrow(new EndorseException("tx42", grpcError(Code.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                "chaincode response 500, record id " + entry(1).recordId()
                        + " is already on the ledger with different content")));
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
                    assertThat(e.transactionId()).contains("tx42");
                    assertThat(e.getMessage()).contains(entry(1).recordId().value())
                            .doesNotContain(entry(1).commitment().hex()).doesNotContain(TestEntries.PSEUDONYM);
                });
    }

    @Test
    void submitAndCommitStatusFailuresAreClassified() throws Exception {
        when(transaction.submitAsync()).thenThrow(new SubmitException("tx42", grpcError(Code.UNAVAILABLE,
                "no orderers could successfully process transaction")));
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));

        doReturn(submitted).when(transaction).submitAsync();
        when(submitted.getStatus()).thenThrow(new CommitStatusException("tx42", grpcError(Code.DEADLINE_EXCEEDED,
                "context deadline exceeded")));
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
                    assertThat(e.transactionId()).contains("tx42");
                });
    }

    @Test
    void anUnreadableSummaryIsNotRetried() {
        result("not json");
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1))))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.transactionId()).contains("tx42");
                });
        result("{\"count\":0,\"batchDigest\":\"" + "5e".repeat(32) + "\"}");
        assertThatThrownBy(() -> writer.putEntries(List.of(entry(1)))).isInstanceOf(LedgerException.class);
    }

    @Test
    void putAccessEventsSendsTheEventsAsOneArrayAndReportsTheCommit() throws Exception {
        String digest = "5e".repeat(32);
        result("{\"batchDigest\":\"" + digest + "\",\"count\":2,\"submitter\":\"HospitalMSP\"}");

        CommitResult commit = writer.putAccessEvents(List.of("{\"accessId\":\"a\"}", "{\"accessId\":\"b\"}"));

        assertThat(commit).isEqualTo(new CommitResult("tx42", 17, "VALID", 2, digest));
        verify(registry).newProposal("PutAccessEvents");
        ArgumentCaptor<String[]> args = ArgumentCaptor.forClass(String[].class);
        verify(builder).addArguments(args.capture());
        assertThat(args.getValue()).containsExactly("[{\"accessId\":\"a\"},{\"accessId\":\"b\"}]");
        assertThatThrownBy(() -> writer.putAccessEvents(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] processed(int validationCode, String eventName, byte[] eventPayload) {
        org.hyperledger.fabric.protos.peer.ChaincodeEvent event = org.hyperledger.fabric.protos.peer.ChaincodeEvent
                .newBuilder().setEventName(eventName).setPayload(com.google.protobuf.ByteString.copyFrom(eventPayload))
                .build();
        var action = org.hyperledger.fabric.protos.peer.ChaincodeAction.newBuilder().setEvents(event.toByteString())
                .build();
        var response = org.hyperledger.fabric.protos.peer.ProposalResponsePayload.newBuilder()
                .setExtension(action.toByteString()).build();
        var endorsed = org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction.newBuilder()
                .setProposalResponsePayload(response.toByteString()).build();
        var actionPayload = org.hyperledger.fabric.protos.peer.ChaincodeActionPayload.newBuilder()
                .setAction(endorsed).build();
        var transaction = org.hyperledger.fabric.protos.peer.Transaction.newBuilder().addActions(
                org.hyperledger.fabric.protos.peer.TransactionAction.newBuilder()
                        .setPayload(actionPayload.toByteString())).build();
        var payload = org.hyperledger.fabric.protos.common.Payload.newBuilder().setData(transaction.toByteString())
                .build();
        return org.hyperledger.fabric.protos.peer.ProcessedTransaction.newBuilder().setValidationCode(validationCode)
                .setTransactionEnvelope(org.hyperledger.fabric.protos.common.Envelope.newBuilder()
                        .setPayload(payload.toByteString())).build().toByteArray();
    }

    @Test
    void committedEntriesAreReadBackFromTheTransactionsEvent() throws Exception {
        String event = "{\"batchDigest\":\"" + "5e".repeat(32) + "\",\"count\":2,\"entries\":[" + entry(1).toJson() + ","
                + entry(2).toJson() + "],\"submitter\":\"HospitalMSP\"}";
        when(qscc.evaluateTransaction("GetTransactionByID", "caduceus", "tx42"))
                .thenReturn(processed(0, "EntriesCommitted", event.getBytes(StandardCharsets.UTF_8)));
        when(qscc.evaluateTransaction("GetTransactionByID", "caduceus", "tx43"))
                .thenReturn(processed(11, "EntriesCommitted", event.getBytes(StandardCharsets.UTF_8)));
        when(qscc.evaluateTransaction("GetTransactionByID", "caduceus", "tx44"))
                .thenReturn(processed(0, "AnchorReceiptStored", "{}".getBytes(StandardCharsets.UTF_8)));
        when(qscc.evaluateTransaction("GetTransactionByID", "caduceus", "tx45")).thenThrow(new GatewayException(
                grpcError(Code.UNKNOWN, "evaluate call to endorser returned error: chaincode response 500, Failed to "
                        + "get transaction with id tx45, error no such transaction ID [tx45] in index")));

        assertThat(writer.committedEntries("tx42")).containsExactly(entry(1), entry(2));
        assertThat(writer.committedEntries("tx43")).as("an invalidated transaction committed nothing").isEmpty();
        assertThat(writer.committedEntries("tx44")).isEmpty();
        assertThat(writer.committedEntries("tx45")).isEmpty();
    }

    @Test
    void batchReturnsWhatTheTransactionRecorded() throws Exception {
        String record = "{\"batchDigest\":\"" + "5e".repeat(32) + "\",\"count\":3,\"submitter\":\"HospitalMSP\"}";
        when(registry.evaluateTransaction("GetBatch", "tx42")).thenReturn(record.getBytes(StandardCharsets.UTF_8));
        assertThat(writer.batch("tx42")).contains(record);
    }

    @Test
    void accessBatchReadsWhatAPutAccessEventsTransactionRecordedOrNothing() throws Exception {
        when(registry.evaluateTransaction("GetAccessBatch", "tx42")).thenReturn("{\"count\":2}".getBytes(StandardCharsets.UTF_8));
        when(registry.evaluateTransaction("GetAccessBatch", "tx43")).thenThrow(new GatewayException(
                grpcError(Code.UNKNOWN, "chaincode response 500, no access events recorded by transaction tx43")));
        assertThat(writer.accessBatch("tx42")).contains("{\"count\":2}");
        assertThat(writer.accessBatch("tx43")).isEmpty();
    }

    @Test
    void batchOfATransactionThatRecordedNoneIsEmpty() throws Exception {
        when(registry.evaluateTransaction("GetBatch", "tx43")).thenThrow(new GatewayException(
                grpcError(Code.UNKNOWN, "evaluate call to endorser returned error: chaincode response 500, no batch "
                        + "recorded by transaction tx43")));
        assertThat(writer.batch("tx43")).isEmpty();
    }

    @Test
    void batchPropagatesOtherFailures() throws Exception {
        when(registry.evaluateTransaction("GetBatch", "tx42"))
                .thenThrow(new GatewayException(grpcError(Code.UNAVAILABLE, "connection refused")));
        assertThatThrownBy(() -> writer.batch("tx42"))
                .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE));
    }

    private static final String PSEUDONYM = "pp1_" + "7a".repeat(32);

    @Test
    void grantAccessSubmitsPseudonymGranteeAndExpiryAndReturnsTheGrantWithItsCommit() throws Exception {
        result("{\"expiresAt\":\"2031-01-01T00:00:00Z\",\"grantedAt\":\"2030-01-01T00:00:00Z\","
                + "\"grantedBy\":\"HospitalMSP\",\"grantee\":\"it-client\"}");

        ConsentLedger.ConsentChange change = writer.grantAccess(PSEUDONYM, "it-client",
                java.util.Optional.of(Instant.parse("2031-01-01T00:00:00Z")));

        assertThat(change).isEqualTo(new ConsentLedger.ConsentChange("tx42", 17, "it-client",
                Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"), null));
        verify(registry).newProposal("GrantAccess");
        verify(builder).addArguments(new String[] {PSEUDONYM, "it-client", "2031-01-01T00:00:00Z"});
    }

    @Test
    void aGrantWithoutExpiryPassesTheEmptyStringTheChaincodeExpects() throws Exception {
        result("{\"grantedAt\":\"2030-01-01T00:00:00Z\",\"grantedBy\":\"HospitalMSP\",\"grantee\":\"c1\"}");
        assertThat(writer.grantAccess(PSEUDONYM, "c1", java.util.Optional.empty()).expiresAt()).isNull();
        verify(builder).addArguments(new String[] {PSEUDONYM, "c1", ""});
    }

    @Test
    void revokeAccessReturnsTheRevokedGrantAndAnUnknownGrantIsNotFound() throws Exception {
        result("{\"grantedAt\":\"2030-01-01T00:00:00Z\",\"grantedBy\":\"HospitalMSP\",\"grantee\":\"c1\","
                + "\"revokedAt\":\"2030-02-01T00:00:00Z\",\"revokedBy\":\"HospitalMSP\"}");
        assertThat(writer.revokeAccess(PSEUDONYM, "c1").revokedAt()).isEqualTo(Instant.parse("2030-02-01T00:00:00Z"));
        verify(registry).newProposal("RevokeAccess");
        verify(builder).addArguments(new String[] {PSEUDONYM, "c1"});

        when(proposal.endorse()).thenThrow(new EndorseException("tx43", grpcError(Code.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                "chaincode response 500, no grant for this patient and grantee")));
        assertThatThrownBy(() -> writer.revokeAccess(PSEUDONYM, "c2"))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.chaincodeError()).contains("NOT_FOUND");
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.getMessage()).doesNotContain("7a".repeat(32));
                });
    }

    @Test
    void anUnreadableGrantAfterACommitIsNotRetried() {
        result("{\"grantee\":\"c1\"}");
        assertThatThrownBy(() -> writer.grantAccess(PSEUDONYM, "c1", java.util.Optional.empty()))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.isRetriable()).isFalse();
                    assertThat(e.transactionId()).contains("tx42");
                });
    }

    @Test
    void checkAccessEvaluatesAtThePeersTimeAndReadsTheDecision() throws Exception {
        when(registry.evaluateTransaction("CheckAccess", PSEUDONYM, "c1", ""))
                .thenReturn("{\"allowed\":true,\"reason\":\"GRANTED\"}".getBytes(StandardCharsets.UTF_8));
        when(registry.evaluateTransaction("CheckAccess", PSEUDONYM, "c2", ""))
                .thenReturn("{\"allowed\":false,\"reason\":\"REVOKED\"}".getBytes(StandardCharsets.UTF_8));
        when(registry.evaluateTransaction("CheckAccess", PSEUDONYM, "c3", ""))
                .thenReturn("{\"allowed\":\"yes\"}".getBytes(StandardCharsets.UTF_8));
        when(registry.evaluateTransaction("CheckAccess", PSEUDONYM, "c4", ""))
                .thenThrow(new GatewayException(grpcError(Code.DEADLINE_EXCEEDED, "context deadline exceeded")));

        assertThat(writer.checkAccess(PSEUDONYM, "c1")).isEqualTo(ConsentLedger.AccessDecision.granted());
        assertThat(writer.checkAccess(PSEUDONYM, "c2")).isEqualTo(ConsentLedger.AccessDecision.refused("REVOKED"));
        assertThatThrownBy(() -> writer.checkAccess(PSEUDONYM, "c3")).isInstanceOfSatisfying(LedgerException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.UNKNOWN));
        assertThatThrownBy(() -> writer.checkAccess(PSEUDONYM, "c4")).isInstanceOfSatisfying(LedgerException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
    }

    private static AnchorReceipt receipt() {
        return new AnchorReceipt(11155111, "0x" + "a".repeat(40), "0x" + "b".repeat(64), 123,
                Instant.parse("2025-01-01T00:00:00Z"), Digest.fromHex("c".repeat(64)), 1000, "caduceus", 55);
    }

    @Test
    void putAnchorReceiptSubmitsItsJsonAndWaitsForTheCommit() throws Exception {
        result(receipt().toJson());
        writer.putAnchorReceipt(receipt());
        verify(registry).newProposal("PutAnchorReceipt");
        verify(builder).addArguments(new String[] {receipt().toJson()});
        verify(submitted).getStatus();
    }

    @Test
    void aRefusedAnchorReceiptIsClassified() throws Exception {
        when(proposal.endorse()).thenThrow(new EndorseException("tx42", grpcError(Code.ABORTED, "failed",
                "chaincode response 500, tree size 3 is below the latest anchored tree size 7")));
        assertThatThrownBy(() -> writer.putAnchorReceipt(receipt()))
                .isInstanceOfSatisfying(LedgerException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.CHAINCODE_REJECTED);
                    assertThat(e.chaincodeError()).contains("NON_MONOTONIC");
                });
    }

    @Test
    void latestAnchorReceipt() throws Exception {
        when(registry.evaluateTransaction("GetLatestAnchorReceipt", NO_ARGS))
                .thenReturn(receipt().toJson().getBytes(StandardCharsets.UTF_8));
        assertThat(writer.latestAnchorReceipt()).contains(receipt());

        doThrow(new GatewayException(grpcError(Code.UNKNOWN, "evaluate call to endorser returned error: chaincode "
                + "response 500, no anchor receipt stored yet"))).when(registry)
                .evaluateTransaction("GetLatestAnchorReceipt", NO_ARGS);
        assertThat(writer.latestAnchorReceipt()).isEmpty();
    }

    @Test
    void anUnreadableAnchorReceiptFails() throws Exception {
        when(registry.evaluateTransaction("GetLatestAnchorReceipt", NO_ARGS))
                .thenReturn(CanonicalJson.write(Map.of("chainId", 1)).getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(writer::latestAnchorReceipt).isInstanceOf(LedgerException.class);
        doReturn("[]".getBytes(StandardCharsets.UTF_8)).when(registry)
                .evaluateTransaction("GetLatestAnchorReceipt", NO_ARGS);
        assertThatThrownBy(writer::latestAnchorReceipt).isInstanceOf(LedgerException.class);
    }

    @Test
    void blockHeightComesFromQscc() throws Exception {
        when(qscc.evaluateTransaction("GetChainInfo", "caduceus"))
                .thenReturn(BlockchainInfo.newBuilder().setHeight(99).build().toByteArray());
        assertThat(writer.blockHeight()).isEqualTo(99);
    }

    @Test
    void blockHeightFailures() throws Exception {
        when(qscc.evaluateTransaction("GetChainInfo", "caduceus"))
                .thenThrow(new GatewayException(grpcError(Code.PERMISSION_DENIED, "no")));
        assertThatThrownBy(writer::blockHeight)
                .isInstanceOfSatisfying(LedgerException.class, e -> assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN));
    }

    @Test
    void aGarbledChainInfoFails() throws Exception {
        when(qscc.evaluateTransaction("GetChainInfo", "caduceus")).thenReturn(new byte[] {(byte) 0xff, 0x01});
        assertThatThrownBy(writer::blockHeight).isInstanceOf(LedgerException.class);
    }
}
