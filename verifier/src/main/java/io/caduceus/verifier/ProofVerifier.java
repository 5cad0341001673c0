package io.caduceus.verifier;

import io.caduceus.adapters.ethereum.AnchorRegistryContract;
import io.caduceus.adapters.ethereum.AnchoredEvent;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.MerkleHashing;
import io.caduceus.core.merkle.MerkleProofs;
import io.caduceus.core.proof.ProofBundle;
import io.caduceus.core.proof.ProofCheck;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.web3j.abi.FunctionEncoder;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * Verifies a {@code caduceus.proof.v1} bundle as docs/proof-format.md section 5 prescribes, for an auditor who trusts
 * neither Caduceus nor the bundle: every hash is recomputed from the record, the salt and the audit path, and the
 * anchor is read from the chain through the auditor's own RPC endpoint. The bundle's statements about the chain
 * (block, time) are only compared and reported, never relied on.
 *
 * <p>Checks, in order: {@code bundle}, {@code commitment}, {@code inclusion}, {@code anchor-claim}, {@code chain},
 * {@code on-chain-root}, {@code anchor-transaction}, {@code confirmations}. All of them run even after a failure, so
 * the auditor sees the whole picture; the verdict is invalid as soon as one fails.
 */
public final class ProofVerifier {

    private final List<ProofCheck> checks = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> undecided = new ArrayList<>();
    private AnchorFacts facts;

    private ProofVerifier() {
    }

    /**
     * @param bundleJson the proof bundle as received (any JSON serialization)
     * @param recordJson the record as received (canonicalized here with RFC 8785), or empty to prove only that the
     *                   bundle's commitment was logged and anchored
     * @param rpcUrl     the auditor's own Ethereum JSON-RPC endpoint (http or https)
     */
    public static Verdict verify(String bundleJson, Optional<String> recordJson, String rpcUrl, VerifierOptions options) {
        Objects.requireNonNull(bundleJson, "bundleJson");
        Objects.requireNonNull(recordJson, "recordJson");
        Objects.requireNonNull(rpcUrl, "rpcUrl");
        Objects.requireNonNull(options, "options");
        return new ProofVerifier().run(bundleJson, recordJson, rpcUrl, options);
    }

    /** Same as {@link #verify(String, Optional, String, VerifierOptions)} for a bundle already in memory. */
    public static Verdict verify(ProofBundle bundle, Optional<String> recordJson, String rpcUrl, VerifierOptions options) {
        return verify(bundle.toJson(), recordJson, rpcUrl, options);
    }

    private Verdict run(String bundleJson, Optional<String> recordJson, String rpcUrl, VerifierOptions options) {
        BundleReader.Bundle bundle;
        try {
            bundle = BundleReader.read(bundleJson);
        } catch (BundleReader.Unreadable e) {
            undecided("bundle", "cannot read the bundle: " + e.getMessage());
            return verdict(Optional.empty());
        }
        passed("bundle", ProofBundle.FORMAT + ", commitment scheme hmac-sha256-salted-v1, leaf " + bundle.leafIndex()
                + " of " + bundle.treeSize());

        checkCommitment(bundle, recordJson);
        Digest computedRoot = checkInclusion(bundle);
        if (bundle.anchor().isEmpty()) {
            undecided("anchor-claim", "the bundle names no anchor: the record is logged but not anchored yet");
            return verdict(Optional.of(bundle.recordId()));
        }
        AnchorReceipt anchor = bundle.anchor().get();
        checkAnchorClaim(bundle, anchor);
        // Compare the chain with what the record and path lead to, not with what the bundle says the root is.
        Digest root = computedRoot != null ? computedRoot : bundle.root();
        checkOnChain(bundle, anchor, root, rpcUrl, options);
        return verdict(Optional.of(bundle.recordId()));
    }

    // ---- off-chain ----------------------------------------------------------------------------------------------

    private void checkCommitment(BundleReader.Bundle bundle, Optional<String> recordJson) {
        if (recordJson.isEmpty()) {
            skipped("commitment", "no record given: proving only that commitment " + bundle.commitment().hex()
                    + " was logged, not what it commits to");
            return;
        }
        if (bundle.salt().isEmpty()) {
            undecided("commitment", "a record was given but the bundle carries no salt, so the commitment cannot be"
                    + " opened: ask for a bundle issued with the record");
            return;
        }
        byte[] canonical;
        try {
            canonical = CanonicalJson.canonicalize(recordJson.get());
        } catch (RuntimeException e) {
            undecided("commitment", "the record is not valid JSON, so it cannot be canonicalized: " + e.getMessage());
            return;
        }
        if (HidingCommitments.opens(bundle.commitment(), bundle.salt().get(), canonical)) {
            passed("commitment", "HMAC-SHA256(salt, label || SHA-256(JCS(record))) = " + bundle.commitment().hex());
        } else {
            failed("commitment", "the record and salt give " + HidingCommitments.commit(bundle.salt().get(), canonical).hex()
                    + ", not the bundle's commitment " + bundle.commitment().hex()
                    + ": the record differs from the one committed");
        }
    }

    /** The root the commitment's leaf and the audit path lead to, or null when the path does not fit the tree. */
    private Digest checkInclusion(BundleReader.Bundle bundle) {
        Digest leafHash = MerkleHashing.leafHash(bundle.commitment().toBytes());
        Digest computed = MerkleProofs.rootFromInclusionProof(leafHash, bundle.leafIndex(), bundle.treeSize(),
                bundle.auditPath());
        if (computed == null) {
            failed("inclusion", "an audit path of " + bundle.auditPath().size() + " hashes cannot lead from leaf "
                    + bundle.leafIndex() + " to the root of a tree of " + bundle.treeSize() + " (RFC 9162 2.1.3.2)");
        } else if (!computed.equals(bundle.root())) {
            failed("inclusion", "leaf hash " + leafHash.hex() + " and the audit path lead to " + computed.hex()
                    + ", not to the bundle's root " + bundle.root().hex());
        } else {
            passed("inclusion", "leaf hash " + leafHash.hex() + " at index " + bundle.leafIndex() + " with "
                    + bundle.auditPath().size() + " path hashes leads to root " + computed.hex() + " of size "
                    + bundle.treeSize());
        }
        return computed;
    }

    private void checkAnchorClaim(BundleReader.Bundle bundle, AnchorReceipt anchor) {
        if (anchor.root().equals(bundle.root()) && anchor.treeSize() == bundle.treeSize()) {
            passed("anchor-claim", "the bundle's anchor names the same root and tree size");
        } else {
            failed("anchor-claim", "the bundle's anchor names root " + anchor.root().hex() + " at size "
                    + anchor.treeSize() + ", but the proof leads to root " + bundle.root().hex() + " at size "
                    + bundle.treeSize());
        }
    }

    // ---- on-chain -----------------------------------------------------------------------------------------------

    private static final String[] ON_CHAIN = {"chain", "on-chain-root", "anchor-transaction", "confirmations"};

    private void checkOnChain(BundleReader.Bundle bundle, AnchorReceipt anchor, Digest root, String rpcUrl,
                              VerifierOptions options) {
        if (options.expectedChainId().isPresent() && options.expectedChainId().getAsLong() != anchor.chainId()) {
            failed("chain", "the bundle is anchored on chain " + anchor.chainId() + ", but chain "
                    + options.expectedChainId().getAsLong() + " is required (--chain-id)");
            skipRest("chain", "the anchor is on a chain the auditor does not accept");
            return;
        }
        EthereumRpc rpc;
        try {
            rpc = new EthereumRpc(rpcUrl, options.rpcTimeout());
        } catch (IllegalArgumentException e) {
            undecided("chain", e.getMessage());
            skipRest("chain", "no usable RPC endpoint");
            return;
        }
        String step = "chain";
        try (rpc) {
            long chainId = rpc.chainId();
            if (chainId != anchor.chainId()) {
                // The endpoint is the auditor's choice, not evidence about the bundle: ask again on the right chain.
                undecided("chain", "the RPC endpoint is on chain " + chainId + ", the bundle's anchor on chain "
                        + anchor.chainId() + ": use an endpoint of chain " + anchor.chainId());
                skipRest("chain", "wrong chain");
                return;
            }
            long headAtStart = rpc.blockNumber();
            passed("chain", "eth_chainId = " + chainId + ", latest block " + headAtStart);
            // A node still syncing does not know the anchor yet; that is no evidence against the bundle.
            boolean nodeBehind = headAtStart < anchor.blockNumber();
            String behind = "the node's latest block " + headAtStart + " is before the bundle's anchor block "
                    + anchor.blockNumber() + ": is it synced?";

            step = "on-chain-root";
            checkRootAt(rpc, anchor, bundle.treeSize(), root, nodeBehind, behind);

            step = "anchor-transaction";
            Optional<TransactionReceipt> receipt = checkTransaction(rpc, anchor, bundle.treeSize(), root, nodeBehind,
                    behind);
            if (receipt.isEmpty()) {
                skipped("confirmations", "no anchoring transaction to count confirmations for");
                return;
            }

            step = "confirmations";
            checkConfirmations(rpc, anchor, receipt.get(), chainId, options);
        } catch (EthereumRpc.Unreachable e) {
            undecided(step, "the RPC endpoint could not be asked: " + e.getMessage());
            skipRest(step, "the RPC endpoint could not be asked");
        } catch (EthereumRpc.Refused e) {
            undecided(step, "the RPC endpoint refused: " + e.getMessage());
            skipRest(step, "the RPC endpoint refused a request");
        }
    }

    private void checkRootAt(EthereumRpc rpc, AnchorReceipt anchor, long treeSize, Digest root, boolean nodeBehind,
                             String behind) throws EthereumRpc.Unreachable, EthereumRpc.Refused {
        String data = FunctionEncoder.encode(AnchorRegistryContract.rootAtFunction(treeSize));
        String result;
        try {
            result = rpc.call(anchor.contractAddress(), data);
        } catch (EthereumRpc.Refused e) {
            if (!e.isRevert()) {
                throw e;
            }
            failed("on-chain-root", "rootAt(" + treeSize + ") reverted at " + anchor.contractAddress()
                    + ": not an AnchorRegistry (" + e.getMessage() + ")");
            return;
        }
        byte[] onChain;
        try {
            onChain = AnchorRegistryContract.decodeRootAt(result);
        } catch (RuntimeException e) {
            if (nodeBehind) {
                undecided("on-chain-root", behind);
            } else {
                failed("on-chain-root", "no AnchorRegistry at " + anchor.contractAddress() + " on chain "
                        + anchor.chainId() + " (rootAt returned '" + shorten(result) + "')");
            }
            return;
        }
        Digest chainRoot = Digest.of(onChain);
        if (chainRoot.equals(root)) {
            passed("on-chain-root", "rootAt(" + treeSize + ") at " + anchor.contractAddress() + " = " + root.hex());
        } else if (isZero(onChain)) {
            if (nodeBehind) {
                undecided("on-chain-root", behind);
            } else {
                failed("on-chain-root", "nothing is anchored at tree size " + treeSize + " in "
                        + anchor.contractAddress() + " (rootAt returned zero)");
            }
        } else {
            failed("on-chain-root", "rootAt(" + treeSize + ") at " + anchor.contractAddress() + " = " + chainRoot.hex()
                    + ", not the proof's root " + root.hex());
        }
    }

    private Optional<TransactionReceipt> checkTransaction(EthereumRpc rpc, AnchorReceipt anchor, long treeSize,
                                                          Digest root, boolean nodeBehind, String behind)
            throws EthereumRpc.Unreachable, EthereumRpc.Refused {
        String tx = anchor.transactionHash();
        Optional<TransactionReceipt> found = rpc.receipt(tx);
        if (found.isEmpty()) {
            if (nodeBehind) {
                undecided("anchor-transaction", behind);
            } else {
                failed("anchor-transaction", "chain " + anchor.chainId() + " has no mined transaction " + tx);
            }
            return Optional.empty();
        }
        TransactionReceipt receipt = found.get();
        List<String> problems = new ArrayList<>();
        if (receipt.getTransactionHash() == null || !receipt.getTransactionHash().equalsIgnoreCase(tx)) {
            problems.add("the node returned the receipt of another transaction (" + receipt.getTransactionHash() + ")");
        }
        // Explicitly "0x1": web3j's isStatusOK() also accepts a missing status (pre-Byzantium receipts).
        if (!"0x1".equals(receipt.getStatus())) {
            problems.add("status is " + receipt.getStatus() + ", not 0x1 (the transaction failed)");
        }
        if (receipt.getTo() == null || !receipt.getTo().equalsIgnoreCase(anchor.contractAddress())) {
            problems.add("it was sent to " + receipt.getTo() + ", not to the registry " + anchor.contractAddress());
        }
        List<AnchoredEvent> events = new ArrayList<>();
        for (Log log : receipt.getLogs() == null ? List.<Log>of() : receipt.getLogs()) {
            if (log.getAddress() == null || !log.getAddress().equalsIgnoreCase(anchor.contractAddress())) {
                continue; // an event of another contract proves nothing about this registry
            }
            try {
                AnchorRegistryContract.decodeAnchored(log).ifPresent(events::add);
            } catch (RuntimeException malformed) {
                // not a well-formed Anchored event; it cannot match
            }
        }
        boolean matching = events.stream().anyMatch(e -> e.treeSize() == treeSize
                && java.security.MessageDigest.isEqual(e.root(), root.toBytes()));
        if (!matching) {
            problems.add(events.isEmpty()
                    ? "it carries no Anchored event of the registry"
                    : "its Anchored event" + (events.size() == 1 ? "" : "s") + " name " + describe(events)
                            + ", not tree size " + treeSize + " with root " + root.hex());
        }
        if (problems.isEmpty()) {
            passed("anchor-transaction", "transaction " + tx + ": status 1, to " + anchor.contractAddress()
                    + ", Anchored(treeSize=" + treeSize + ", root=" + root.hex() + ") in block "
                    + receipt.getBlockNumber());
            return found;
        }
        failed("anchor-transaction", "transaction " + tx + ": " + String.join("; ", problems));
        return found;
    }

    private void checkConfirmations(EthereumRpc rpc, AnchorReceipt anchor, TransactionReceipt receipt, long chainId,
                                    VerifierOptions options) throws EthereumRpc.Unreachable, EthereumRpc.Refused {
        long block;
        try {
            block = receipt.getBlockNumber().longValueExact();
        } catch (RuntimeException e) {
            undecided("confirmations", "the receipt has no usable block number");
            return;
        }
        Optional<EthBlock.Block> header = rpc.block(block);
        if (header.isEmpty() || header.get().getTimestamp() == null) {
            undecided("confirmations", "the node does not return block " + block + " of the receipt");
            return;
        }
        if (receipt.getBlockHash() != null && header.get().getHash() != null
                && !receipt.getBlockHash().equalsIgnoreCase(header.get().getHash())) {
            undecided("confirmations", "block " + block + " changed while verifying (reorganisation?): try again");
            return;
        }
        Instant time = Instant.ofEpochSecond(header.get().getTimestamp().longValueExact());
        long latest = rpc.blockNumber();
        long confirmations = Math.max(0, latest - block + 1);
        facts = new AnchorFacts(chainId, anchor.contractAddress(), anchor.transactionHash(), block, time, confirmations);
        String differs = "";
        if (block != anchor.blockNumber() || !time.equals(anchor.blockTime())) {
            differs = " (the bundle states block " + anchor.blockNumber() + " at " + anchor.blockTime()
                    + "; the chain's values are the ones that count)";
        }
        String detail = confirmations + " confirmation" + (confirmations == 1 ? "" : "s") + " (block " + block
                + " at " + time + ", latest " + latest + ")" + differs;
        if (confirmations < options.minConfirmations()) {
            undecided("confirmations", detail + "; " + options.minConfirmations() + " required");
        } else {
            passed("confirmations", detail + "; " + options.minConfirmations() + " required");
        }
    }

    // ---- bookkeeping --------------------------------------------------------------------------------------------

    private Verdict verdict(Optional<String> recordId) {
        Optional<AnchorFacts> anchor = Optional.ofNullable(facts);
        if (!failures.isEmpty()) {
            return new Verdict(Verdict.Result.INVALID, String.join("; ", failures), recordId, checks, anchor);
        }
        if (!undecided.isEmpty()) {
            return new Verdict(Verdict.Result.UNDECIDED, String.join("; ", undecided), recordId, checks, anchor);
        }
        boolean recordChecked = checks.stream().anyMatch(c -> c.name().equals("commitment")
                && c.outcome() == ProofCheck.Outcome.PASSED);
        return new Verdict(Verdict.Result.VALID, (recordChecked
                ? "the record was committed, logged at the given position, and its log root is anchored on chain "
                : "the commitment (record not checked) was logged, and its log root is anchored on chain ")
                + facts.chainId() + " in block " + facts.blockNumber() + " (" + facts.blockTime() + ")",
                recordId, checks, anchor);
    }

    private void passed(String name, String detail) {
        checks.add(ProofCheck.passed(name, detail));
    }

    private void failed(String name, String detail) {
        checks.add(ProofCheck.failed(name, detail));
        failures.add(name + ": " + detail);
    }

    private void skipped(String name, String detail) {
        checks.add(ProofCheck.skipped(name, detail));
    }

    /** A check that could not be made and without which no verdict is possible. */
    private void undecided(String name, String detail) {
        checks.add(ProofCheck.skipped(name, detail));
        undecided.add(name + ": " + detail);
    }

    private void skipRest(String after, String why) {
        boolean past = false;
        for (String name : ON_CHAIN) {
            if (past) {
                skipped(name, "not checked: " + why);
            }
            past |= name.equals(after);
        }
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String describe(List<AnchoredEvent> events) {
        List<String> shown = new ArrayList<>();
        for (AnchoredEvent e : events) {
            shown.add("(treeSize=" + e.treeSize() + ", root=" + io.caduceus.core.hash.Hex.encode(e.root()) + ")");
        }
        return String.join(", ", shown);
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s.toLowerCase(Locale.ROOT);
    }
}
