package io.caduceus.verifier;

import io.caduceus.adapters.ethereum.AnchorRegistryContract;
import io.caduceus.core.commitment.HidingCommitments;
import io.caduceus.core.commitment.Salt;
import io.caduceus.core.domain.AnchorReceipt;
import io.caduceus.core.domain.RecordId;
import io.caduceus.core.hash.Digest;
import io.caduceus.core.json.CanonicalJson;
import io.caduceus.core.merkle.MerkleLog;
import io.caduceus.core.merkle.MerkleLogs;
import io.caduceus.core.proof.ProofBundle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A small log of real commitments and a bundle for one of its records, as Caduceus would issue it. */
final class Fixture {

    static final long CHAIN_ID = 31337;
    static final String CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    static final String TX = "0x" + "cd".repeat(32);
    static final String BLOCK_HASH = "0x" + "be".repeat(32);
    static final long BLOCK = 42;
    static final Instant BLOCK_TIME = Instant.parse("2026-11-25T12:00:00Z");
    static final String CHANNEL = "caduceus";

    final List<String> records = new ArrayList<>();
    final List<Salt> salts = new ArrayList<>();
    final List<Digest> commitments = new ArrayList<>();
    final MerkleLog log = MerkleLogs.inMemory();

    Fixture(int size) {
        for (int i = 0; i < size; i++) {
            // Non-canonical on purpose (member order, spacing, 1.50): the verifier must canonicalize.
            String record = "{ \"resourceType\": \"Observation\", \"id\": \"obs-" + i + "\", \"status\": \"final\","
                    + " \"valueQuantity\": { \"value\": 1.50, \"unit\": \"mmol/L\" }, \"note\": \"caf\u00e9 " + i + "\" }";
            Salt salt = Salt.random();
            Digest commitment = HidingCommitments.commit(salt, CanonicalJson.canonicalize(record));
            records.add(record);
            salts.add(salt);
            commitments.add(commitment);
            log.append(commitment.toBytes());
        }
    }

    Digest root() {
        return log.root(log.size());
    }

    AnchorReceipt anchor() {
        return new AnchorReceipt(CHAIN_ID, CONTRACT, TX, BLOCK, BLOCK_TIME, root(), log.size(), CHANNEL, 17);
    }

    ProofBundle bundle(int index) {
        return bundle(index, Optional.of(anchor()));
    }

    ProofBundle bundle(int index, Optional<AnchorReceipt> anchor) {
        return new ProofBundle(new RecordId("r2_" + commitments.get(index).hex().substring(0, 32)), commitments.get(index),
                Optional.of(salts.get(index)), log.inclusionProof(index, log.size()), root(), anchor);
    }

    String bundleJson(int index) {
        return bundle(index).toJson();
    }

    // ---- JSON-RPC answers of a node that holds the anchor -----------------------------------------------------

    static String result(String json) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":" + json + "}";
    }

    static String quoted(String s) {
        return "\"" + s + "\"";
    }

    static String hexQuantity(long n) {
        return quoted("0x" + Long.toHexString(n));
    }

    static String receipt(String status, String to, String eventContract, long treeSize, Digest root) {
        String log = "{\"address\":\"" + eventContract + "\",\"topics\":[\"" + AnchorRegistryContract.ANCHORED_TOPIC
                + "\",\"0x" + String.format("%064x", treeSize) + "\",\"0x" + root.hex() + "\"],"
                + "\"data\":\"0x" + "6361647563657573" + "0".repeat(48) + String.format("%064x", 17) + "\","
                + "\"blockNumber\":\"0x2a\",\"blockHash\":\"" + BLOCK_HASH + "\",\"transactionHash\":\"" + TX + "\","
                + "\"transactionIndex\":\"0x0\",\"logIndex\":\"0x0\",\"removed\":false}";
        return "{\"transactionHash\":\"" + TX + "\",\"transactionIndex\":\"0x0\",\"blockHash\":\"" + BLOCK_HASH
                + "\",\"blockNumber\":\"0x2a\",\"from\":\"0x" + "11".repeat(20) + "\",\"to\":\"" + to
                + "\",\"cumulativeGasUsed\":\"0xc350\",\"gasUsed\":\"0xc350\",\"contractAddress\":null,"
                + "\"logs\":[" + log + "],\"logsBloom\":\"0x" + "00".repeat(256) + "\",\"status\":\"" + status
                + "\",\"effectiveGasPrice\":\"0x1\",\"type\":\"0x2\"}";
    }

    static String block() {
        return "{\"number\":\"0x2a\",\"hash\":\"" + BLOCK_HASH + "\",\"parentHash\":\"0x" + "00".repeat(32)
                + "\",\"timestamp\":\"0x" + Long.toHexString(BLOCK_TIME.getEpochSecond()) + "\",\"transactions\":[],"
                + "\"uncles\":[],\"gasLimit\":\"0x1c9c380\",\"gasUsed\":\"0xc350\",\"miner\":\"0x" + "00".repeat(20)
                + "\",\"difficulty\":\"0x0\",\"size\":\"0x200\",\"extraData\":\"0x\"}";
    }
}
