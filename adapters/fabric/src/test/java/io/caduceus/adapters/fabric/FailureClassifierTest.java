package io.caduceus.adapters.fabric;

import static io.caduceus.adapters.fabric.GatewayErrors.grpcError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.caduceus.ingest.ledger.LedgerException.Kind;
import io.caduceus.ingest.ledger.LedgerException;
import io.caduceus.ingest.ledger.TestEntries;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import org.hyperledger.fabric.client.CommitException;
import org.hyperledger.fabric.client.CommitStatusException;
import org.hyperledger.fabric.client.EndorseException;
import org.hyperledger.fabric.client.GatewayException;
import org.hyperledger.fabric.client.GatewayRuntimeException;
import org.hyperledger.fabric.client.SubmitException;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class FailureClassifierTest {

    private static LedgerException classify(Throwable t) {
        return FailureClassifier.classify("PutEntries", t, null);
    }

    // ------------------------------------------------------------------ gRPC status codes

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "DEADLINE_EXCEEDED, TIMEOUT, true",
        "UNAVAILABLE, UNAVAILABLE, true",
        "RESOURCE_EXHAUSTED, UNAVAILABLE, true",
        "CANCELLED, UNAVAILABLE, true",
        "PERMISSION_DENIED, FORBIDDEN, false",
        "UNAUTHENTICATED, FORBIDDEN, false",
        "INVALID_ARGUMENT, INVALID_ARGUMENT, false",
        "OUT_OF_RANGE, INVALID_ARGUMENT, false",
        "NOT_FOUND, MISCONFIGURED, false",
        "UNIMPLEMENTED, MISCONFIGURED, false",
        "ALREADY_EXISTS, CONFLICT, false",
        "FAILED_PRECONDITION, UNAVAILABLE, true",
        "ABORTED, UNAVAILABLE, true",
        "UNKNOWN, UNKNOWN, true",
        "INTERNAL, UNKNOWN, true",
        "DATA_LOSS, UNKNOWN, true",
        "OK, UNKNOWN, true",
    })
    void grpcStatusWithoutDetails(Code code, Kind kind, boolean retriable) {
        LedgerException e = classify(new GatewayException(grpcError(code, "something went wrong")));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetriable()).isEqualTo(retriable);
        assertThat(e.chaincodeError()).isEmpty();
        assertThat(e.getMessage()).contains("PutEntries").contains(code.name());
    }

    @ParameterizedTest
    @EnumSource(Code.class)
    void everyGrpcCodeIsClassifiedByEveryCarrier(Code code) {
        StatusRuntimeException grpc = grpcError(code, "x");
        Kind viaChecked = classify(new GatewayException(grpc)).kind();
        assertThat(classify(new GatewayRuntimeException(grpc)).kind()).isEqualTo(viaChecked);
        assertThat(classify(grpc).kind()).isEqualTo(viaChecked);
        assertThat(classify(new EndorseException("tx1", grpc)).kind()).isEqualTo(viaChecked);
    }

    @ParameterizedTest
    @EnumSource(value = Code.class, names = {"DEADLINE_EXCEEDED", "UNAVAILABLE", "RESOURCE_EXHAUSTED"})
    void theBriefsRetriableCodes(Code code) {
        assertThat(classify(new GatewayException(grpcError(code, "x"))).isRetriable()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = Code.class, names = {"PERMISSION_DENIED", "INVALID_ARGUMENT"})
    void theBriefsPermanentCodes(Code code) {
        assertThat(classify(new GatewayException(grpcError(code, "x"))).isRetriable()).isFalse();
    }

    @Test
    void transactionExceptionsCarryTheirTransactionId() {
        StatusRuntimeException grpc = grpcError(Code.DEADLINE_EXCEEDED, "timeout");
        assertThat(classify(new EndorseException("tx-e", grpc)).transactionId()).contains("tx-e");
        assertThat(classify(new SubmitException("tx-s", grpc)).transactionId()).contains("tx-s");
        LedgerException commitStatus = classify(new CommitStatusException("tx-c", grpc));
        assertThat(commitStatus.transactionId()).contains("tx-c");
        assertThat(commitStatus.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(commitStatus.getMessage()).contains("tx-c");
    }

    @Test
    void aKnownTransactionIdIsUsedWhenTheExceptionHasNone() {
        LedgerException e = FailureClassifier.classify("PutEntries",
                new GatewayException(grpcError(Code.UNAVAILABLE, "down")), "tx-known");
        assertThat(e.transactionId()).contains("tx-known");
    }

    @Test
    void failedPreconditionForAccessDeniedIsForbidden() {
        LedgerException e = classify(new GatewayException(grpcError(Code.FAILED_PRECONDITION,
                "access denied: channel [caduceus] creator org unknown, creator is malformed")));
        assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN);
        assertThat(e.isRetriable()).isFalse();
    }

    // ------------------------------------------------------------------ ABORTED: the details decide

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "chaincode stream terminated | UNAVAILABLE",
        "failed to execute transaction: could not launch chaincode: container exited | UNAVAILABLE",
        "timeout expired while executing transaction | TIMEOUT",
        "ProposalResponsePayloads do not match | ENDORSEMENT_MISMATCH",
        "rpc error: code = Unknown desc = error validating proposal: access denied: channel [c] creator org unknown"
            + " | FORBIDDEN",
        "received unsuccessful response from orderer: SERVICE_UNAVAILABLE | UNAVAILABLE",
        "received unsuccessful response from orderer: INTERNAL_SERVER_ERROR | UNAVAILABLE",
        "received unsuccessful response from orderer: BAD_REQUEST | INVALID_ARGUMENT",
        "received unsuccessful response from orderer: REQUEST_ENTITY_TOO_LARGE | INVALID_ARGUMENT",
        "received unsuccessful response from orderer: FORBIDDEN | FORBIDDEN",
        "received unsuccessful response from orderer: NOT_FOUND | MISCONFIGURED",
        "something nobody anticipated | UNAVAILABLE",
    })
    void abortedIsClassifiedByItsDetails(String detail, Kind kind) {
        LedgerException e = classify(new EndorseException("tx1", grpcError(Code.ABORTED,
                "failed to endorse transaction, see attached details for more info", detail)));
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.chaincodeError()).isEmpty();
    }

    @Test
    void ordererStatusInTheTopLevelMessageCounts() {
        LedgerException e = classify(new SubmitException("tx1", grpcError(Code.ABORTED,
                "received unsuccessful response from orderer: BAD_REQUEST")));
        assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
    }

    @Test
    void aChaincodeRefusalWinsOverTransientDetailsBesideIt() {
        LedgerException e = classify(new EndorseException("tx1", grpcError(Code.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                "chaincode stream terminated",
                "chaincode response 500, record id r_00000000000000000000000000000001 is already on the ledger with"
                        + " different content")));
        assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
        assertThat(e.chaincodeError()).contains("CONFLICT");
        assertThat(e.isRetriable()).isFalse();
    }

    // ------------------------------------------------------------------ chaincode error payloads

    /** Every message the RecordRegistry chaincode can produce today, and what it must map to. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "record id r_0123456789abcdef0123456789abcdef is already on the ledger with different content | CONFLICT | CONFLICT",
        "record id r_0123456789abcdef0123456789abcdef appears twice in the batch with different content | CONFLICT | CONFLICT",
        "tree size 12 is already anchored with a different receipt | CONFLICT | CONFLICT",
        "tree size 3 is below the latest anchored tree size 7 | NON_MONOTONIC | CHAINCODE_REJECTED",
        "no ledger entry for record id r_0123456789abcdef0123456789abcdef | NOT_FOUND | CHAINCODE_REJECTED",
        "no history for record id r_0123456789abcdef0123456789abcdef | NOT_FOUND | CHAINCODE_REJECTED",
        "no anchor receipt for tree size 4 | NOT_FOUND | CHAINCODE_REJECTED",
        "no anchor receipt stored yet | NOT_FOUND | CHAINCODE_REJECTED",
        "no grant for this patient and grantee | NOT_FOUND | CHAINCODE_REJECTED",
        "caller may not put ledger entries | FORBIDDEN | FORBIDDEN",
        "caller identity is unavailable | FORBIDDEN | FORBIDDEN",
        "caller has no access to record id r_0123456789abcdef0123456789abcdef | FORBIDDEN | FORBIDDEN",
        "a batch holds 1 to 1000 entries | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "batch must be a JSON array | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "batch is not valid JSON | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "batch has content after the JSON value | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "entry 3: ledger entry has an unknown field | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "ledger entry is missing commitment | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "recordId is missing or malformed | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "receivedAt is not an ISO-8601 instant | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "source contains a control character | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "treeSize must be a positive integer | INVALID_ARGUMENT | INVALID_ARGUMENT",
        "CONFLICT: a future chaincode prefixing its code | CONFLICT | CONFLICT",
        "[NOT_FOUND] bracketed prefix | NOT_FOUND | CHAINCODE_REJECTED",
        "NON_MONOTONIC | NON_MONOTONIC | CHAINCODE_REJECTED",
        "java.lang.NullPointerException | UNRECOGNIZED | CHAINCODE_REJECTED",
    })
    void chaincodeRefusalsOnEndorse(String chaincodeMessage, String code, Kind kind) {
        LedgerException e = classify(new EndorseException("tx1", grpcError(Code.ABORTED,
                "failed to endorse transaction, see attached details for more info",
                "chaincode response 500, " + chaincodeMessage)));
        assertThat(e.chaincodeError()).contains(code);
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetriable()).isFalse();
        assertThat(e.transactionId()).contains("tx1");
    }

    @Test
    void chaincodeRefusalOnEvaluateArrivesAsUnknown() {
        LedgerException e = FailureClassifier.classify("GetEntry", new GatewayException(grpcError(Code.UNKNOWN,
                "evaluate call to endorser returned error: chaincode response 500, no ledger entry for record id "
                        + "r_0123456789abcdef0123456789abcdef",
                "chaincode response 500, no ledger entry for record id r_0123456789abcdef0123456789abcdef")), null);
        assertThat(e.chaincodeError()).contains("NOT_FOUND");
        assertThat(e.kind()).isEqualTo(Kind.CHAINCODE_REJECTED);
    }

    @ParameterizedTest
    @CsvSource({"CONFLICT, CONFLICT", "FORBIDDEN, FORBIDDEN", "INVALID_ARGUMENT, INVALID_ARGUMENT",
        "NOT_FOUND, CHAINCODE_REJECTED", "NON_MONOTONIC, CHAINCODE_REJECTED", "UNRECOGNIZED, CHAINCODE_REJECTED"})
    void everyRegistryErrorHasAKind(String code, Kind kind) {
        assertThat(FailureClassifier.kindOfChaincodeError(code)).isEqualTo(kind);
    }

    // ------------------------------------------------------------------ commit (validation) codes

    @ParameterizedTest
    @EnumSource(value = TxValidationCode.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
    void everyValidationCode(TxValidationCode code) {
        LedgerException e = FailureClassifier.fromValidationCode("PutEntries", "tx9", code, 42, null);
        Kind expected = switch (code) {
            case MVCC_READ_CONFLICT -> Kind.MVCC_CONFLICT;
            case PHANTOM_READ_CONFLICT -> Kind.PHANTOM_READ_CONFLICT;
            case ENDORSEMENT_POLICY_FAILURE -> Kind.ENDORSEMENT_POLICY_FAILURE;
            case VALID -> Kind.UNKNOWN;
            default -> Kind.INVALID_TRANSACTION;
        };
        assertThat(e.kind()).isEqualTo(expected);
        Set<TxValidationCode> retriable = EnumSet.of(TxValidationCode.MVCC_READ_CONFLICT,
                TxValidationCode.PHANTOM_READ_CONFLICT, TxValidationCode.VALID);
        assertThat(e.isRetriable()).isEqualTo(retriable.contains(code));
        assertThat(e.validationCode()).contains(code.name());
        assertThat(e.transactionId()).contains("tx9");
        assertThat(e.getMessage()).contains("block 42").contains(code.name());
    }

    @ParameterizedTest
    @CsvSource({"MVCC_READ_CONFLICT, MVCC_CONFLICT, true", "PHANTOM_READ_CONFLICT, PHANTOM_READ_CONFLICT, true",
        "ENDORSEMENT_POLICY_FAILURE, ENDORSEMENT_POLICY_FAILURE, false", "DUPLICATE_TXID, INVALID_TRANSACTION, false",
        "BAD_CREATOR_SIGNATURE, INVALID_TRANSACTION, false"})
    void commitExceptionsFromTheSdk(TxValidationCode code, Kind kind, boolean retriable) {
        CommitException commit = mock(CommitException.class);
        when(commit.getCode()).thenReturn(code);
        when(commit.getTransactionId()).thenReturn("tx-commit");
        LedgerException e = classify(commit);
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.isRetriable()).isEqualTo(retriable);
        assertThat(e.transactionId()).contains("tx-commit");
        assertThat(e.getCause()).isSameAs(commit);
    }

    // ------------------------------------------------------------------ everything else

    @Test
    void aLedgerExceptionPassesThrough() {
        LedgerException original = new LedgerException(Kind.CONFLICT, "x");
        assertThat(classify(original)).isSameAs(original);
    }

    @Test
    void anythingElseIsUnknownAndNamesOnlyTheType() {
        LedgerException e = classify(new IllegalStateException("secret content " + TestEntries.PSEUDONYM));
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN);
        assertThat(e.getMessage()).contains("IllegalStateException").doesNotContain(TestEntries.PSEUDONYM);
        assertThat(classify(new IOException("x")).kind()).isEqualTo(Kind.UNKNOWN);
    }

    @Test
    void messagesNeverCarryDigestsOrPseudonymsButKeepRecordIds() {
        String commitment = "0f".repeat(32);
        LedgerException e = classify(new EndorseException("tx1", grpcError(Code.ABORTED,
                "failed " + commitment, "chaincode response 500, record id r_0123456789abcdef0123456789abcdef of "
                        + TestEntries.PSEUDONYM + " is already on the ledger with different content")));
        assertThat(e.getMessage()).doesNotContain(commitment).doesNotContain(TestEntries.PSEUDONYM)
                .contains("r_0123456789abcdef0123456789abcdef").contains("HospitalMSP@peer0.hospital.example:7051");
    }

    @Test
    void transactionAndPackageIdsStayReadableWhileDigestsBesideThemAreRedacted() {
        String txId = "12".repeat(32);
        String otherTx = "cd".repeat(32);
        String packageHash = "9e".repeat(32);
        String commitment = "0f".repeat(32);
        String message = FailureClassifier.sanitize("call " + txId + ": txid " + otherTx + " failed: "
                + commitment + " of " + TestEntries.PSEUDONYM + "; cc rr_1a2b:" + packageHash, txId);
        assertThat(message).contains(otherTx, "rr_1a2b:" + packageHash, txId)
                .doesNotContain(commitment).doesNotContain(TestEntries.PSEUDONYM);
        assertThat(FailureClassifier.sanitize("commitment:" + commitment, null)).doesNotContain(commitment);
        assertThat(FailureClassifier.sanitize("record " + TestEntries.PSEUDONYM.replace("pp1_", "pp1:"), null))
                .doesNotContain(TestEntries.PSEUDONYM.substring(4));
    }

    @Test
    void longMessagesAreCapped() {
        assertThat(FailureClassifier.sanitize("x".repeat(5000))).hasSizeLessThan(500);
    }
}
