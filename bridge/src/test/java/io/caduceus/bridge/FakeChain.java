package io.caduceus.bridge;

import io.caduceus.core.chain.AnchorRegistry;
import io.caduceus.core.chain.ChainException;
import io.caduceus.core.chain.ChainReceipt;
import io.caduceus.core.chain.TransactionLookup;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An in-memory chain holding one AnchorRegistry, with the registry's rules (tree size must grow, no zero root), one
 * block per anchor, reorgs, and injectable failures. Implements both ports the anchorer reads the chain through: the
 * registry and the transaction lookup.
 */
final class FakeChain implements AnchorRegistry, TransactionLookup {

    static final long CHAIN_ID = 31337;
    static final String CONTRACT = "0x" + "ab".repeat(20);
    static final long GAS = 47_000;

    record Tx(String hash, long treeSize, byte[] root, String channel, long fabricHeight) {
    }

    record Block(long number, Instant time, List<Tx> txs) {
    }

    record Receipt(String transactionHash, long blockNumber, Instant blockTimestamp, long gasUsed, boolean succeeded)
            implements ChainReceipt {
    }

    private final List<Block> blocks = new ArrayList<>();
    private int txCounter;
    private int forkCounter;
    /** Every RPC throws a retriable failure while true. */
    boolean down;
    /** The next anchor is mined but its client call times out (retriably), like a lost receipt. */
    boolean loseNextReceipt;
    /** Runs at the start of the next anchor call, before any check: lets a test race the anchorer. */
    Runnable beforeNextAnchor;
    int anchorCalls;
    /** False after {@link #resetToGenesis} until {@link #redeploy}: no code at {@link #CONTRACT}. */
    private boolean registryDeployed = true;

    FakeChain() {
        blocks.add(new Block(0, Instant.ofEpochSecond(1_700_000_000L), List.of()));
    }

    // ---- test controls --------------------------------------------------------------------------------------------

    long latestBlock() {
        return blocks.get(blocks.size() - 1).number();
    }

    void mine(int count) {
        for (int i = 0; i < count; i++) {
            newBlock(List.of());
        }
    }

    /** Drops the last {@code depth} blocks; their transactions vanish (replaced by empty blocks of another fork). */
    void reorg(int depth, boolean reincludeInNewBlock) {
        List<Tx> dropped = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            dropped.addAll(blocks.remove(blocks.size() - 1).txs());
        }
        forkCounter++;
        mine(depth);
        if (reincludeInNewBlock) {
            for (Tx tx : dropped) {
                if (tx.treeSize() > latestTreeSizeNow()) {
                    newBlock(List.of(tx));
                }
            }
        }
    }

    /** A node restarted from genesis: every block, transaction and the registry's code are gone. */
    void resetToGenesis() {
        blocks.subList(1, blocks.size()).clear();
        forkCounter++;
        registryDeployed = false;
    }

    /** The registry deployed again at the same address (same deployer, same nonce on a new chain), empty. */
    void redeploy() {
        registryDeployed = true;
        mine(1);
    }

    /** An anchor sent by someone else with this key (a previous process): mined directly. */
    String anchorDirectly(long treeSize, byte[] root) {
        Tx tx = new Tx(nextHash(), treeSize, root.clone(), "caduceus", 0);
        newBlock(List.of(tx));
        return tx.hash();
    }

    // ---- AnchorRegistry -------------------------------------------------------------------------------------------

    String signerAddress() {
        return "0x" + "cd".repeat(20);
    }

    @Override
    public ChainReceipt anchor(long treeSize, byte[] root, String fabricChannel, long fabricBlockHeight) {
        if (beforeNextAnchor != null) {
            Runnable hook = beforeNextAnchor;
            beforeNextAnchor = null;
            hook.run();
        }
        rpc();
        requireCode("anchor");
        anchorCalls++;
        long latest = latestTreeSizeNow();
        if (treeSize <= latest) {
            throw new ChainException("anchor reverted: TreeSizeMustGrow(" + latest + ", " + treeSize + ")", false, null,
                    null, AnchorRegistry.Refusal.TREE_SIZE_MUST_GROW);
        }
        if (Arrays.equals(root, new byte[32])) {
            throw new ChainException("ZeroRoot()", false, null, null, AnchorRegistry.Refusal.ZERO_ROOT);
        }
        Tx tx = new Tx(nextHash(), treeSize, root.clone(), fabricChannel, fabricBlockHeight);
        Block block = newBlock(List.of(tx));
        if (loseNextReceipt) {
            loseNextReceipt = false;
            throw new ChainException("no receipt within PT2M; the transaction may still be mined", true, null, tx.hash());
        }
        return new Receipt(tx.hash(), block.number(), block.time(), GAS, true);
    }

    @Override
    public byte[] rootAt(long treeSize) {
        rpc();
        requireCode("rootAt");
        for (Block b : blocks) {
            for (Tx tx : b.txs()) {
                if (tx.treeSize() == treeSize) {
                    return tx.root().clone();
                }
            }
        }
        return new byte[32];
    }

    @Override
    public long latestTreeSize() {
        rpc();
        requireCode("latestTreeSize");
        return latestTreeSizeNow();
    }

    @Override
    public String anchorer() {
        return signerAddress();
    }

    // ---- TransactionLookup ----------------------------------------------------------------------------------------

    @Override
    public Optional<ChainReceipt> canonicalReceipt(String transactionHash) {
        rpc();
        for (Block b : blocks) {
            for (Tx tx : b.txs()) {
                if (tx.hash().equals(transactionHash)) {
                    return Optional.of(new Receipt(tx.hash(), b.number(), b.time(), GAS, true));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<FoundAnchor> findAnchor(String contract, long treeSize) {
        rpc();
        for (Block b : blocks) {
            for (Tx tx : b.txs()) {
                if (tx.treeSize() == treeSize) {
                    return Optional.of(new FoundAnchor(tx.hash(), Digest.of(tx.root()), tx.fabricHeight()));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean hasCode(String address) {
        rpc();
        return registryDeployed && CONTRACT.equalsIgnoreCase(address);
    }

    @Override
    public void close() {
    }

    // ---- internals --------------------------------------------------------------------------------------------------

    private void rpc() {
        if (down) {
            throw new ChainException("eth_call to http://127.0.0.1:8545 failed: Connection refused", true, null);
        }
    }

    /** As the real client: a call to an address without code returns "0x", which does not decode. */
    private void requireCode(String function) {
        if (!registryDeployed) {
            throw new ChainException(function + "() returned '0x': is the address an AnchorRegistry?", false, null);
        }
    }

    private long latestTreeSizeNow() {
        long latest = 0;
        for (Block b : blocks) {
            for (Tx tx : b.txs()) {
                latest = Math.max(latest, tx.treeSize());
            }
        }
        return latest;
    }

    private Block newBlock(List<Tx> txs) {
        long number = latestBlock() + 1;
        Block block = new Block(number, Instant.ofEpochSecond(1_700_000_000L + 12 * number), txs);
        blocks.add(block);
        return block;
    }

    private String nextHash() {
        return "0x" + Sha256.digest(("tx-" + txCounter++ + "-" + forkCounter).getBytes(StandardCharsets.UTF_8)).hex();
    }
}
