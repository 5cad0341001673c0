package io.caduceus.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.caduceus.chaincode.FakeLedger.Identity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.shim.ChaincodeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordRegistryTest {

    static final Identity WRITER = Identity.of("HospitalMSP", "writer");
    static final Identity HOSPITAL_READER = Identity.of("HospitalMSP", null);
    static final Identity CONSENT_ADMIN = Identity.of("HospitalMSP", "consent-admin");
    static final Identity BRIDGE = Identity.of("HospitalMSP", "bridge");
    static final Identity AUDITOR = Identity.of("AuditorMSP", "auditor");
    static final Identity AUDITOR_WRITER = Identity.of("AuditorMSP", "writer");
    static final Identity OUTSIDER = Identity.of("ClinicMSP", "writer");

    static final String P1 = "pp1_" + "a".repeat(64);
    static final String P2 = "pp1_" + "b".repeat(64);
    static final String ID1 = "r2_" + "1".repeat(32);
    static final String ID2 = "r2_" + "2".repeat(32);
    static final String ID3 = "r2_" + "3".repeat(32);
    /** A format 1 record id, as entries of records stored before keyed ids carry. */
    static final String LEGACY_ID = "r_" + "4".repeat(32);
    static final String C1 = "c".repeat(64);
    static final String C2 = "d".repeat(64);
    static final String ROOT = "e".repeat(64);
    static final String ADDRESS = "0x" + "ab".repeat(20);
    static final String TX_HASH = "0x" + "12".repeat(32);

    FakeLedger ledger;
    RecordRegistry registry;

    @BeforeEach
    void setUp() {
        ledger = new FakeLedger();
        registry = registry(AccessPolicy.defaults());
    }

    RecordRegistry registry(AccessPolicy policy) {
        return new RecordRegistry(policy, () -> ledger.now(), RecordRegistry.DEFAULT_MAX_CLOCK_SKEW);
    }

    static String entry(String id, String commitment, String pseudonym) {
        return "{\"recordId\":\"" + id + "\",\"commitment\":\"" + commitment + "\",\"messageType\":\"ADT^A01\","
                + "\"source\":\"EPIC^GENERAL\",\"receivedAt\":\"2025-03-01T10:15:30.123Z\""
                + (pseudonym == null ? "" : ",\"patientPseudonym\":\"" + pseudonym + "\"") + "}";
    }

    static String batch(String... entries) {
        return "[" + String.join(",", entries) + "]";
    }

    String as(Identity who, Function<Context, String> tx) {
        return ledger.submit(who, tx);
    }

    ChaincodeException failure(Identity who, RegistryError expected, Function<Context, ?> tx) {
        Map<String, String> before = ledger.snapshot();
        int eventsBefore = ledger.events().size();
        ChaincodeException e = catchThrowableOfType(ChaincodeException.class, () -> ledger.submit(who, tx));
        assertThat(e).as("expected a ChaincodeException").isNotNull();
        assertThat(new String(e.getPayload(), StandardCharsets.UTF_8)).isEqualTo(expected.name());
        // Error messages end up in logs: never a pseudonym.
        assertThat(e.getMessage()).doesNotContain(P1).doesNotContain(P2);
        assertThat(ledger.snapshot()).as("a failed transaction writes nothing").isEqualTo(before);
        assertThat(ledger.events()).hasSize(eventsBefore);
        return e;
    }

    String put(String batchJson) {
        return as(WRITER, ctx -> registry.putEntries(ctx, batchJson));
    }

    @Nested
    class Entries {

        static String event(String... entries) {
            return "{\"batchDigest\":\"" + RecordRegistry.sha256Hex(batch(entries)) + "\",\"count\":" + entries.length
                    + ",\"entries\":" + batch(entries) + ",\"submitter\":\"HospitalMSP\"}";
        }

        static String canonical(String id, String commitment, String pseudonym) {
            return CanonicalJson.write(LedgerEntry.fromJson(entry(id, commitment, pseudonym)).toMap());
        }

        @Test
        void recordsTheBatchAsOneStateWriteAndEmitsItsEntriesSortedById() {
            String result = put(batch(entry(ID2, C2, P1), entry(ID1, C1, P1), entry(ID3, C1, null)));

            String sorted = batch(canonical(ID1, C1, P1), canonical(ID2, C2, P1), canonical(ID3, C1, null));
            String digest = RecordRegistry.sha256Hex(sorted);
            String record = "{\"batchDigest\":\"" + digest + "\",\"count\":3,\"submitter\":\"HospitalMSP\"}";
            assertThat(result).isEqualTo(record);
            assertThat(ledger.snapshot()).containsExactly(Map.entry(FakeLedger.key(RecordRegistry.KEY_BATCH, "tx0001"),
                    record));
            assertThat(ledger.events()).hasSize(1);
            assertThat(ledger.lastEvent().name()).isEqualTo("EntriesCommitted");
            assertThat(ledger.lastEvent().payload()).isEqualTo("{\"batchDigest\":\"" + digest + "\",\"count\":3,"
                    + "\"entries\":" + sorted + ",\"submitter\":\"HospitalMSP\"}");
            assertThat(as(AUDITOR, ctx -> registry.getBatch(ctx, "tx0001"))).isEqualTo(record);
        }

        @Test
        void recordIdsOfBothFormatsAreAccepted() {
            put(batch(entry(ID1, C1, P1), entry(LEGACY_ID, C2, P1)));

            assertThat(ledger.lastEvent().payload()).contains("\"count\":2").contains(ID1).contains(LEGACY_ID);
        }

        @Test
        void noStateIsReadSoAKnownRecordIdCostsNothingAndIsLeftToTheBridge() {
            put(batch(entry(ID1, C1, P1)));

            put(batch(entry(ID1, C2, P1)));

            assertThat(ledger.events()).hasSize(2);
            assertThat(ledger.lastEvent().payload()).contains(C2);
        }

        @Test
        void identicalEntriesWithinOneBatchCollapse() {
            put(batch(entry(ID1, C1, P1), entry(ID1, C1, P1).replace("10:15:30.123Z", "10:15:30.1230Z")));

            assertThat(ledger.lastEvent().payload()).contains("\"count\":1");
        }

        @Test
        void sameRecordIdTwiceInOneBatchWithDifferentContentIsAConflict() {
            ChaincodeException e = failure(WRITER, RegistryError.CONFLICT,
                    ctx -> registry.putEntries(ctx, batch(entry(ID1, C1, P1), entry(ID1, C2, P1))));
            assertThat(e.getMessage()).contains(ID1);
            failure(WRITER, RegistryError.CONFLICT,
                    ctx -> registry.putEntries(ctx, batch(entry(ID1, C1, P1), entry(ID1, C1, P2))));
        }

        static Stream<Arguments> invalidEntries() {
            String good = entry(ID1, C1, P1);
            return Stream.of(
                    Arguments.of("uppercase commitment", good.replace(C1, C1.toUpperCase())),
                    Arguments.of("short commitment", good.replace(C1, "abc")),
                    Arguments.of("missing commitment", good.replace("\"commitment\":\"" + C1 + "\",", "")),
                    Arguments.of("numeric commitment", good.replace("\"" + C1 + "\"", "12")),
                    Arguments.of("unknown field (could smuggle PHI)", good.replace("{", "{\"name\":\"DOE^JOHN\",")),
                    Arguments.of("record id with space", good.replace(ID1, "r 1")),
                    Arguments.of("record id too long", good.replace(ID1, "r".repeat(129))),
                    Arguments.of("message type free text", good.replace("ADT^A01", "admit note")),
                    Arguments.of("source without caret", good.replace("EPIC^GENERAL", "EPIC")),
                    Arguments.of("source with two carets", good.replace("EPIC^GENERAL", "EPIC^GEN^X")),
                    Arguments.of("source only caret", good.replace("EPIC^GENERAL", "^")),
                    Arguments.of("source part too long", good.replace("EPIC^", "E".repeat(181) + "^")),
                    Arguments.of("source facility too long", good.replace("^GENERAL", "^" + "G".repeat(181))),
                    Arguments.of("source control char", good.replace("EPIC^", "EP\\u0001IC^")),
                    Arguments.of("receivedAt not ISO", good.replace("2025-03-01T10:15:30.123Z", "yesterday")),
                    Arguments.of("receivedAt local time", good.replace("30.123Z", "30.123")),
                    Arguments.of("receivedAt too long", good.replace("30.123Z", "30." + "1".repeat(40) + "Z")),
                    Arguments.of("pseudonym with spaces", good.replace(P1, "John Doe")),
                    Arguments.of("entry not an object", "\"" + ID1 + "\""));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidEntries")
        void invalidEntryRejectsTheWholeBatch(String why, String bad) {
            failure(WRITER, RegistryError.INVALID_ARGUMENT,
                    ctx -> registry.putEntries(ctx, batch(entry(ID2, C1, P2), bad)));
            assertThat(ledger.size()).isZero();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "  ", "{}", "[]", "[", "not json", "[] []", "\"text\""})
        void malformedBatchIsInvalid(String batchJson) {
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.putEntries(ctx, batchJson));
        }

        @Test
        void nullBatchIsInvalid() {
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.putEntries(ctx, null));
        }

        @Test
        void oversizedBatchIsInvalid() {
            List<String> entries = new ArrayList<>();
            for (int i = 0; i <= RecordRegistry.MAX_BATCH; i++) {
                entries.add(entry(String.format("r_%032x", i), C1, null));
            }
            failure(WRITER, RegistryError.INVALID_ARGUMENT,
                    ctx -> registry.putEntries(ctx, batch(entries.toArray(String[]::new))));
        }

        @Test
        void getBatchRejectsBadIdsAndReportsMissingOnes() {
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.getBatch(ctx, "bad id"));
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.getBatch(ctx, null));
            ChaincodeException e = failure(AUDITOR, RegistryError.NOT_FOUND, ctx -> registry.getBatch(ctx, "tx0009"));
            assertThat(e.getMessage()).contains("tx0009");
        }
    }

    @Nested
    class Authorization {

        static Stream<Identity> notWriters() {
            return Stream.of(HOSPITAL_READER, CONSENT_ADMIN, BRIDGE, AUDITOR, AUDITOR_WRITER, OUTSIDER,
                    new Identity("HospitalMSP", "Writer", "x509::CN=x::CN=ca"));
        }

        @ParameterizedTest
        @MethodSource("notWriters")
        void onlyHospitalWritersPutEntries(Identity who) {
            failure(who, RegistryError.FORBIDDEN, ctx -> registry.putEntries(ctx, batch(entry(ID1, C1, P1))));
        }

        @Test
        void forbiddenBeforeValidationSoOutsidersLearnNothing() {
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.putEntries(ctx, "not json"));
        }

        @ParameterizedTest
        @MethodSource("io.caduceus.chaincode.RecordRegistryTest#notBridges")
        void onlyTheBridgeStoresAnchorReceipts(Identity who) {
            failure(who, RegistryError.FORBIDDEN, ctx -> registry.putAnchorReceipt(ctx, receipt(10, ROOT)));
        }

        @ParameterizedTest
        @MethodSource("io.caduceus.chaincode.RecordRegistryTest#notConsentManagers")
        void onlyHospitalWritersAndConsentAdminsManageConsent(Identity who) {
            failure(who, RegistryError.FORBIDDEN, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));
            failure(who, RegistryError.FORBIDDEN, ctx -> registry.revokeAccess(ctx, P1, "ClinicMSP"));
        }

        @Test
        void outsidersReadNothing() {
            put(batch(entry(ID1, C1, P1)));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.getBatch(ctx, "tx0001"));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.getAnchorReceipt(ctx, "1"));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.getLatestAnchorReceipt(ctx));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.checkAccess(ctx, P1, "ClinicMSP", ""));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.listAccessEvents(ctx, ID1));
        }

        @Test
        void hospitalAndAuditorMembersReadWhateverTheirRole() {
            put(batch(entry(ID1, C1, P1)));
            for (Identity who : List.of(HOSPITAL_READER, WRITER, BRIDGE, AUDITOR, AUDITOR_WRITER)) {
                assertThat(as(who, ctx -> registry.getBatch(ctx, "tx0001"))).contains("\"count\":1");
            }
        }

        @Test
        void missingIdentityIsForbidden() {
            failure(null, RegistryError.FORBIDDEN, ctx -> registry.getBatch(ctx, "tx0001"));
            failure(new Identity("HospitalMSP", "writer", null), RegistryError.FORBIDDEN,
                    ctx -> registry.getBatch(ctx, "tx0001"));
            failure(new Identity(null, "writer", "x509::a::b"), RegistryError.FORBIDDEN,
                    ctx -> registry.getBatch(ctx, "tx0001"));
        }

        @Test
        void mspIdsComeFromTheEnvironment() {
            registry = registry(AccessPolicy.fromEnvironment(Map.of(
                    AccessPolicy.ENV_HOSPITAL_MSP, "StMarysMSP", AccessPolicy.ENV_AUDITOR_MSP, " RegulatorMSP ",
                    AccessPolicy.ENV_BRIDGE_MSP, "")));

            failure(WRITER, RegistryError.FORBIDDEN, ctx -> registry.putEntries(ctx, batch(entry(ID1, C1, P1))));
            as(Identity.of("StMarysMSP", "writer"), ctx -> registry.putEntries(ctx, batch(entry(ID1, C1, P1))));
            assertThat(as(Identity.of("RegulatorMSP", null), ctx -> registry.getBatch(ctx, "tx0002"))).contains("count");
            failure(AUDITOR, RegistryError.FORBIDDEN, ctx -> registry.getBatch(ctx, "tx0002"));
            as(Identity.of("StMarysMSP", "bridge"), ctx -> registry.putAnchorReceipt(ctx, receipt(1, ROOT)));
        }

        @Test
        void bridgeMayRunUnderItsOwnOrg() {
            registry = registry(AccessPolicy.fromEnvironment(Map.of(AccessPolicy.ENV_BRIDGE_MSP, "BridgeMSP")));

            failure(BRIDGE, RegistryError.FORBIDDEN, ctx -> registry.putAnchorReceipt(ctx, receipt(1, ROOT)));
            as(Identity.of("BridgeMSP", "bridge"), ctx -> registry.putAnchorReceipt(ctx, receipt(1, ROOT)));
        }

        @Test
        void malformedMspConfigurationIsRejectedAtStartup() {
            assertThatThrownBy(() -> AccessPolicy.fromEnvironment(Map.of(AccessPolicy.ENV_HOSPITAL_MSP, "bad msp")))
                    .isInstanceOf(ChaincodeException.class).hasMessageContaining(AccessPolicy.ENV_HOSPITAL_MSP);
        }

        @Test
        void defaultConstructorUsesTheDefaults() {
            registry = new RecordRegistry();
            assertThat(put(batch(entry(ID1, C1, P1)))).contains("\"count\":1");
        }
    }

    static Stream<Identity> notBridges() {
        return Stream.of(WRITER, HOSPITAL_READER, CONSENT_ADMIN, AUDITOR, Identity.of("AuditorMSP", "bridge"),
                Identity.of("ClinicMSP", "bridge"));
    }

    static Stream<Identity> notConsentManagers() {
        return Stream.of(HOSPITAL_READER, BRIDGE, AUDITOR, AUDITOR_WRITER, Identity.of("AuditorMSP", "consent-admin"),
                OUTSIDER);
    }

    static String receipt(long treeSize, String root) {
        return "{\"chainId\":31337,\"contract\":\"" + ADDRESS + "\",\"transactionHash\":\"" + TX_HASH
                + "\",\"blockNumber\":42,\"root\":\"" + root + "\",\"treeSize\":" + treeSize + "}";
    }

    @Nested
    class AnchorReceipts {

        String store(String json) {
            return as(BRIDGE, ctx -> registry.putAnchorReceipt(ctx, json));
        }

        @Test
        void storesAndReadsBackByTreeSizeAndLatest() {
            String stored = store(receipt(10, ROOT));

            assertThat(stored).isEqualTo("{\"blockNumber\":42,\"chainId\":31337,\"contract\":\"" + ADDRESS
                    + "\",\"root\":\"" + ROOT + "\",\"transactionHash\":\"" + TX_HASH + "\",\"treeSize\":10}");
            assertThat(as(AUDITOR, ctx -> registry.getAnchorReceipt(ctx, "10"))).isEqualTo(stored);
            assertThat(as(AUDITOR, ctx -> registry.getLatestAnchorReceipt(ctx))).isEqualTo(stored);
            assertThat(ledger.lastEvent().name()).isEqualTo("AnchorReceiptStored");
            assertThat(ledger.lastEvent().payload()).isEqualTo(
                    "{\"root\":\"" + ROOT + "\",\"transactionHash\":\"" + TX_HASH + "\",\"treeSize\":10}");
        }

        @Test
        void treeSizeMayOnlyGrow() {
            store(receipt(10, ROOT));
            String bigger = store(receipt(20, C1));

            assertThat(as(AUDITOR, ctx -> registry.getLatestAnchorReceipt(ctx))).isEqualTo(bigger);
            assertThat(as(AUDITOR, ctx -> registry.getAnchorReceipt(ctx, "10"))).contains(ROOT);
            ChaincodeException e = failure(BRIDGE, RegistryError.NON_MONOTONIC,
                    ctx -> registry.putAnchorReceipt(ctx, receipt(15, C2)));
            assertThat(e.getMessage()).contains("15", "20");
        }

        @Test
        void sameReceiptAgainIsANoOpButADifferentOneIsAConflict() {
            String stored = store(receipt(10, ROOT));
            int events = ledger.events().size();

            assertThat(store(receipt(10, ROOT).replace(ADDRESS, ADDRESS.toUpperCase().replace("0X", "0x"))))
                    .isEqualTo(stored);
            assertThat(ledger.events()).hasSize(events);
            failure(BRIDGE, RegistryError.CONFLICT, ctx -> registry.putAnchorReceipt(ctx, receipt(10, C1)));
        }

        @Test
        void theSameTreeAnchoredAgainInAnotherChainTransactionBecomesTheReceiptOfRecord() {
            store(receipt(10, ROOT));
            String reanchored = receipt(10, ROOT).replace(TX_HASH, "0x" + "34".repeat(32)).replace("42", "7");

            String stored = store(reanchored);

            assertThat(stored).contains("34".repeat(32));
            assertThat(as(AUDITOR, ctx -> registry.getLatestAnchorReceipt(ctx))).isEqualTo(stored);
            assertThat(as(AUDITOR, ctx -> registry.getAnchorReceipt(ctx, "10"))).isEqualTo(stored);
            failure(BRIDGE, RegistryError.NON_MONOTONIC, ctx -> registry.putAnchorReceipt(ctx, receipt(9, ROOT)));
        }

        @Test
        void optionalFieldsRoundTripCanonically() {
            String json = receipt(7, ROOT).replace("}", ",\"fabricBlockHeight\":99,\"fabricChannel\":\"caduceus\","
                    + "\"blockTime\":\"2025-03-01T11:00:00.000Z\"}");

            assertThat(store(json)).isEqualTo("{\"blockNumber\":42,\"blockTime\":\"2025-03-01T11:00:00Z\","
                    + "\"chainId\":31337,\"contract\":\"" + ADDRESS + "\",\"fabricBlockHeight\":99,"
                    + "\"fabricChannel\":\"caduceus\",\"root\":\"" + ROOT + "\",\"transactionHash\":\"" + TX_HASH
                    + "\",\"treeSize\":7}");
        }

        static Stream<String> invalidReceipts() {
            String good = receipt(10, ROOT);
            return Stream.of(
                    good.replace("\"treeSize\":10", "\"treeSize\":0"),
                    good.replace("\"treeSize\":10", "\"treeSize\":\"10\""),
                    good.replace("\"treeSize\":10", "\"treeSize\":10.5"),
                    good.replace("\"treeSize\":10", "\"treeSize\":99999999999999999999999"),
                    good.replace(",\"treeSize\":10", ""),
                    good.replace("\"chainId\":31337", "\"chainId\":0"),
                    good.replace("\"blockNumber\":42", "\"blockNumber\":-1"),
                    good.replace(ROOT, "0x" + ROOT),
                    good.replace(ROOT, ROOT.substring(2)),
                    good.replace(ADDRESS, "0x1234"),
                    good.replace(TX_HASH, "0x12"),
                    good.replace("}", ",\"note\":\"x\"}"),
                    good.replace("}", ",\"blockTime\":\"soon\"}"),
                    good.replace("}", ",\"fabricChannel\":\"Has Space\"}"),
                    good.replace("}", ",\"fabricBlockHeight\":-5}"),
                    "[]",
                    "{");
        }

        @ParameterizedTest
        @MethodSource("invalidReceipts")
        void invalidReceiptsAreRejected(String json) {
            failure(BRIDGE, RegistryError.INVALID_ARGUMENT, ctx -> registry.putAnchorReceipt(ctx, json));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "abc", "0", "-3", "1.5"})
        void treeSizeArgumentMustBePositive(String size) {
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.getAnchorReceipt(ctx, size));
        }

        @Test
        void missingReceiptsAreNotFound() {
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.getAnchorReceipt(ctx, null));
            failure(AUDITOR, RegistryError.NOT_FOUND, ctx -> registry.getLatestAnchorReceipt(ctx));
            store(receipt(10, ROOT));
            failure(AUDITOR, RegistryError.NOT_FOUND, ctx -> registry.getAnchorReceipt(ctx, "11"));
        }
    }

    @Nested
    class Consent {

        String check(String grantee, String at) {
            return as(AUDITOR, ctx -> registry.checkAccess(ctx, P1, grantee, at));
        }

        static String allowed(boolean allowed, String reason) {
            return "{\"allowed\":" + allowed + ",\"reason\":\"" + reason + "\"}";
        }

        @Test
        void grantAllowsUntilExpiry() {
            String expires = ledger.now().plus(Duration.ofDays(1)).toString();
            String grant = as(CONSENT_ADMIN, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", expires));

            assertThat(grant).isEqualTo("{\"expiresAt\":\"2025-03-02T12:00:00Z\",\"grantedAt\":\"2025-03-01T12:00:00Z\","
                    + "\"grantedBy\":\"HospitalMSP\",\"grantee\":\"ClinicMSP\"}").doesNotContain(P1);
            assertThat(check("ClinicMSP", "")).isEqualTo(allowed(true, "GRANTED"));
            assertThat(check("ClinicMSP", "2025-03-02T11:59:59Z")).isEqualTo(allowed(true, "GRANTED"));
            assertThat(check("ClinicMSP", "2025-03-02T12:00:00Z")).isEqualTo(allowed(false, "EXPIRED"));
            assertThat(check("ClinicMSP", "2025-03-01T11:00:00Z")).isEqualTo(allowed(false, "NOT_YET_GRANTED"));
            assertThat(check("OtherMSP", "")).isEqualTo(allowed(false, "NO_GRANT"));
            assertThat(as(AUDITOR, ctx -> registry.checkAccess(ctx, P2, "ClinicMSP", null)))
                    .isEqualTo(allowed(false, "NO_GRANT"));
        }

        @Test
        void grantWithoutExpiryToARole() {
            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "role:clinician", null));

            assertThat(check("role:clinician", "2099-01-01T00:00:00Z")).isEqualTo(allowed(true, "GRANTED"));
            assertThat(check("role:nurse", "")).isEqualTo(allowed(false, "NO_GRANT"));
        }

        @Test
        void revokeEndsAccessFromTheRevocationOn() {
            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));
            String revoked = as(CONSENT_ADMIN, ctx -> registry.revokeAccess(ctx, P1, "ClinicMSP"));

            assertThat(revoked).contains("\"revokedAt\":\"2025-03-01T12:00:01Z\"", "\"revokedBy\":\"HospitalMSP\"");
            assertThat(check("ClinicMSP", "")).isEqualTo(allowed(false, "REVOKED"));
            assertThat(check("ClinicMSP", "2025-03-01T12:00:00.500Z")).isEqualTo(allowed(true, "GRANTED"));
            // Revoking again changes nothing.
            assertThat(as(CONSENT_ADMIN, ctx -> registry.revokeAccess(ctx, P1, "ClinicMSP"))).isEqualTo(revoked);
        }

        @Test
        void regrantAfterRevocationRestoresAccess() {
            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));
            as(WRITER, ctx -> registry.revokeAccess(ctx, P1, "ClinicMSP"));
            String again = as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));

            assertThat(again).doesNotContain("revoked").contains("\"grantedAt\":\"2025-03-01T12:00:02Z\"");
            assertThat(check("ClinicMSP", "")).isEqualTo(allowed(true, "GRANTED"));
        }

        @Test
        void identicalGrantIsANoOpButAChangedExpiryReplacesIt() {
            String first = as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", "2025-04-01T00:00:00Z"));
            assertThat(as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", "2025-04-01T00:00:00.000Z")))
                    .isEqualTo(first);

            String extended = as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", "2025-05-01T00:00:00Z"));
            assertThat(extended).contains("2025-05-01").contains("\"grantedAt\":\"2025-03-01T12:00:02Z\"");
        }

        @Test
        void aProposalDatedAwayFromThePeersClockDecidesNothing() {
            registry = new RecordRegistry(AccessPolicy.defaults(), () -> ledger.now().plus(Duration.ofMinutes(6)),
                    RecordRegistry.DEFAULT_MAX_CLOCK_SKEW);
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.checkAccess(ctx, P1, "ClinicMSP", ""));
            failure(HOSPITAL_READER, RegistryError.INVALID_ARGUMENT,
                    ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));

            registry = new RecordRegistry(AccessPolicy.defaults(), () -> ledger.now().minus(Duration.ofMinutes(4)),
                    RecordRegistry.DEFAULT_MAX_CLOCK_SKEW);
            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ""));
        }

        @Test
        void clockSkewComesFromTheEnvironment() {
            assertThat(RecordRegistry.maxClockSkew(Map.of())).isEqualTo(RecordRegistry.DEFAULT_MAX_CLOCK_SKEW);
            assertThat(RecordRegistry.maxClockSkew(Map.of(RecordRegistry.ENV_MAX_CLOCK_SKEW, " 30 ")))
                    .isEqualTo(Duration.ofSeconds(30));
            assertThatThrownBy(() -> RecordRegistry.maxClockSkew(Map.of(RecordRegistry.ENV_MAX_CLOCK_SKEW, "0")))
                    .hasMessageContaining(RecordRegistry.ENV_MAX_CLOCK_SKEW);
            assertThatThrownBy(() -> RecordRegistry.maxClockSkew(Map.of(RecordRegistry.ENV_MAX_CLOCK_SKEW, "x")))
                    .hasMessageContaining(RecordRegistry.ENV_MAX_CLOCK_SKEW);
        }

        @Test
        void invalidConsentArguments() {
            failure(WRITER, RegistryError.INVALID_ARGUMENT,
                    ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ledger.now().toString()));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", "soon"));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, "role:", ""));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, "role:Doctor", ""));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, "Clinic MSP", ""));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, P1, null, ""));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.grantAccess(ctx, "John Doe", "ClinicMSP", ""));
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.checkAccess(ctx, P1, "ClinicMSP", "x"));
            failure(WRITER, RegistryError.NOT_FOUND, ctx -> registry.revokeAccess(ctx, P1, "ClinicMSP"));
        }
    }

    @Nested
    class AccessLog {

        @BeforeEach
        void entries() {
            put(batch(entry(ID1, C1, P1), entry(ID3, C2, null)));
        }

        @Test
        void memberAccessIsLoggedWithHashedIdentityAndEmitted() {
            String logged = as(HOSPITAL_READER, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));

            String idHash = RecordRegistry.sha256Hex(HOSPITAL_READER.id());
            assertThat(logged).isEqualTo("{\"at\":\"2025-03-01T12:00:01Z\",\"basis\":\"member:HospitalMSP\","
                    + "\"callerIdHash\":\"" + idHash + "\",\"mspId\":\"HospitalMSP\",\"purpose\":\"TREATMENT\","
                    + "\"recordId\":\"" + ID1 + "\",\"txId\":\"tx0002\"}");
            assertThat(logged).doesNotContain(P1).doesNotContain("CN=");
            assertThat(idHash).matches("[0-9a-f]{64}");
            assertThat(ledger.lastEvent()).isEqualTo(new FakeLedger.Event("tx0002", "AccessLogged", logged));
        }

        @Test
        void accessEventsAreListedInTimeOrder() {
            String first = as(AUDITOR, ctx -> registry.logAccess(ctx, ID1, P1, "AUDIT"));
            String second = as(WRITER, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));
            as(WRITER, ctx -> registry.logAccess(ctx, ID3, "", "TREATMENT"));

            assertThat(as(AUDITOR, ctx -> registry.listAccessEvents(ctx, ID1)))
                    .isEqualTo("[" + first + "," + second + "]");
            assertThat(as(AUDITOR, ctx -> registry.listAccessEvents(ctx, ID2))).isEqualTo("[]");
            failure(AUDITOR, RegistryError.INVALID_ARGUMENT, ctx -> registry.listAccessEvents(ctx, "bad id"));
        }

        @Test
        void otherOrgsNeedAGrantInForce() {
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));

            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "ClinicMSP", ledger.now().plusSeconds(3).toString()));
            String logged = as(OUTSIDER, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));
            assertThat(logged).contains("\"basis\":\"grant:ClinicMSP\"");

            ledger.advance(Duration.ofMinutes(1));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));
        }

        @Test
        void roleGrantsDoNotOpenTheLogToOtherOrgs() {
            as(WRITER, ctx -> registry.grantAccess(ctx, P1, "role:writer", ""));

            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.logAccess(ctx, ID1, P1, "TREATMENT"));
        }

        @Test
        void recordsWithoutAPatientAreMembersOnly() {
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.logAccess(ctx, ID3, "", "TREATMENT"));
        }

        @Test
        void invalidArguments() {
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.logAccess(ctx, ID1, "John Doe", "TREATMENT"));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.logAccess(ctx, ID1, P1, "looked at labs"));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.logAccess(ctx, "r 1", P1, "TREATMENT"));
        }
    }

    @Nested
    class AccessEvents {

        static final String A1 = "0b6e5c8e-1d2f-4a3b-9c4d-5e6f7a8b9c0d";
        static final String A2 = "1b6e5c8e-1d2f-4a3b-9c4d-5e6f7a8b9c0d";

        static String access(String accessId, String recordId, String pseudonym) {
            return "{\"accessId\":\"" + accessId + "\",\"accessedAt\":\"2025-03-01T11:59:00.5Z\",\"interaction\":\"read\","
                    + "\"purpose\":\"TREATMENT\",\"callerIdHash\":\"" + C1 + "\",\"basis\":\"scope\",\"records\":[{"
                    + "\"recordId\":\"" + recordId + "\",\"integrity\":\"verified\"}],\"patientPseudonyms\":["
                    + (pseudonym == null ? "" : "\"" + pseudonym + "\"") + "]}";
        }

        @Test
        void aBatchOfReadsIsOneStateWriteAndOneEventCarryingThem() {
            String result = as(WRITER, ctx -> registry.putAccessEvents(ctx, batch(access(A2, ID2, P2),
                    access(A1, ID1, P1))));

            assertThat(result).contains("\"count\":2", "\"submitter\":\"HospitalMSP\"").doesNotContain(P1);
            assertThat(ledger.snapshot()).containsOnlyKeys(FakeLedger.key(RecordRegistry.KEY_ACCESS_BATCH, "tx0001"));
            assertThat(ledger.lastEvent().name()).isEqualTo("AccessEventsCommitted");
            String payload = ledger.lastEvent().payload();
            assertThat(payload.indexOf(A1)).as("sorted by access id").isLessThan(payload.indexOf(A2));
            assertThat(payload).contains("\"accessedAt\":\"2025-03-01T11:59:00.500Z\"", ID1, P1);
            assertThat(as(AUDITOR, ctx -> registry.getAccessBatch(ctx, "tx0001"))).isEqualTo(result);
            failure(AUDITOR, RegistryError.NOT_FOUND, ctx -> registry.getAccessBatch(ctx, "tx0009"));
        }

        @Test
        void onlyTheWriterRecordsAndEveryFieldIsACodeIdOrHash() {
            failure(AUDITOR, RegistryError.FORBIDDEN, ctx -> registry.putAccessEvents(ctx, batch(access(A1, ID1, P1))));
            failure(OUTSIDER, RegistryError.FORBIDDEN, ctx -> registry.getAccessBatch(ctx, "tx0001"));
            String good = access(A1, ID1, P1);
            for (String bad : List.of(good.replace("TREATMENT", "looked at labs"), good.replace(A1, "not-a-uuid"),
                    good.replace("\"read\"", "\"Read me\""), good.replace(C1, "abc"),
                    good.replace("{\"accessId\"", "{\"note\":\"DOE^JOHN\",\"accessId\""),
                    good.replace("\"integrity\":\"verified\"", "\"integrity\":\"verified\",\"name\":\"x\""),
                    good.replace(P1, "John Doe"), good.replace("2025-03-01T11:59:00.5Z", "yesterday"),
                    good.replace("[{", "[\"r\",{"))) {
                failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.putAccessEvents(ctx, batch(bad)));
            }
            failure(WRITER, RegistryError.CONFLICT, ctx -> registry.putAccessEvents(ctx,
                    batch(good, access(A1, ID2, P1))));
            failure(WRITER, RegistryError.INVALID_ARGUMENT, ctx -> registry.putAccessEvents(ctx, "[]"));
        }
    }

    @Nested
    class Determinism {

        @Test
        void sameBatchInAnyOrderGivesIdenticalStateAndEvents() {
            FakeLedger other = new FakeLedger();
            put(batch(entry(ID1, C1, P1), entry(ID2, C2, P1), entry(ID3, C1, null)));
            other.submit(WRITER, ctx -> new RecordRegistry(AccessPolicy.defaults(), other::now,
                    RecordRegistry.DEFAULT_MAX_CLOCK_SKEW)
                    .putEntries(ctx, batch(entry(ID3, C1, null), entry(ID2, C2, P1), entry(ID1, C1, P1))
                            .replace("\":\"", "\" : \"").replace(",", " ,\n ")));

            assertThat(other.snapshot()).isEqualTo(ledger.snapshot());
            assertThat(other.events()).isEqualTo(ledger.events());
        }

        @Test
        void entryFieldOrderDoesNotMatter() {
            String reordered = "{\"source\":\"EPIC^GENERAL\",\"patientPseudonym\":\"" + P1 + "\",\"receivedAt\":"
                    + "\"2025-03-01T10:15:30.123Z\",\"messageType\":\"ADT^A01\",\"commitment\":\"" + C1
                    + "\",\"recordId\":\"" + ID1 + "\"}";
            put(batch(reordered));

            assertThat(ledger.lastEvent().payload())
                    .contains("\"entries\":[" + CanonicalJson.write(LedgerEntry.fromJson(entry(ID1, C1, P1)).toMap()) + "]");
        }
    }

    @Test
    void errorCodesTravelAsThePayload() {
        ChaincodeException e = RegistryError.NON_MONOTONIC.exception("tree size 3 is below 4");
        assertThat(e.getMessage()).isEqualTo("tree size 3 is below 4");
        assertThat(e.getPayload()).isEqualTo("NON_MONOTONIC".getBytes(StandardCharsets.UTF_8));
    }
}
