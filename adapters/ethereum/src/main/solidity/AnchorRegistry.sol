// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title Public anchor of the Caduceus Merkle log
/// @notice Auditors check a record's inclusion proof against a root published here, so the log operator cannot
///         later show them a different history: once a root is anchored for a tree size, nobody can replace it.
/// @dev Built to be cheap per anchor and independent of the number of records: one anchor covers every record up
///      to `treeSize`, so the cost of the chain grows with the anchoring frequency, never with the traffic.
///      Block number and time are deliberately NOT stored: the auditor reads them from the receipt of the
///      transaction that emitted {Anchored}, and storing them would cost another storage slot per anchor.
///      The interface is fixed: docs/proof-format.md and the verifier depend on it.
contract AnchorRegistry {
    /// @notice The only key allowed to anchor (the bridge's key).
    /// @dev Immutable, so the check costs no storage read; a lost or rotated key means deploying a new registry,
    ///      which keeps the trust story simple: one registry, one anchorer, forever.
    address public immutable anchorer;

    /// @notice The largest tree size anchored so far, 0 before the first anchor.
    /// @dev Kept so a new anchor can be refused unless the log has grown: an append-only log never shrinks, so a
    ///      smaller or equal size means a replay, a fork or a bug, and must not reach the public record.
    uint64 public latestTreeSize;

    /// @dev Never read or changed after construction. It only makes the storage slot shared with
    ///      {latestTreeSize} non-zero from deployment on, so that the first anchor pays for a non-zero to non-zero
    ///      write (about 5,000 gas) instead of a zero to non-zero one (about 22,000), keeping every anchor, the
    ///      first one included, under the 60,000 gas target. It occupies no slot of its own.
    uint8 private slotPrimer = 1;

    /// @dev Tree size => root. A slot is written at most once, because tree sizes strictly grow.
    mapping(uint64 treeSize => bytes32 root) private roots;

    /// @notice A root was anchored. Auditors find it by tree size or by root (both indexed) and take the block
    ///         number and time from the transaction receipt.
    /// @param treeSize          number of leaves of the Merkle log the root commits to
    /// @param root              the Merkle tree head of the first `treeSize` leaves
    /// @param fabricChannel     Fabric channel whose records the log mirrors: UTF-8 name, right-padded with zeros
    /// @param fabricBlockHeight Fabric block height the log had reached, to correlate the two ledgers
    event Anchored(uint64 indexed treeSize, bytes32 indexed root, bytes32 fabricChannel, uint64 fabricBlockHeight);

    /// @notice The sender is not {anchorer}.
    error NotAnchorer();
    /// @notice `proposed` is not larger than the latest anchored tree size: the log would appear to shrink or fork.
    error TreeSizeMustGrow(uint64 latest, uint64 proposed);
    /// @notice A zero root is refused because {rootAt} uses zero to mean "nothing anchored at that size".
    error ZeroRoot();

    /// @param anchorer_ the bridge's key; the deployer may be another account
    constructor(address anchorer_) {
        anchorer = anchorer_;
    }

    /// @notice Publishes the root of the log at `treeSize`.
    /// @dev Reverts with {NotAnchorer}, {TreeSizeMustGrow} or {ZeroRoot}; custom errors keep reverts cheap and let
    ///      the client tell a permanent refusal from a transient failure by the error's selector.
    function anchor(uint64 treeSize, bytes32 root, bytes32 fabricChannel, uint64 fabricBlockHeight) external {
        if (msg.sender != anchorer) revert NotAnchorer();
        if (root == bytes32(0)) revert ZeroRoot();
        uint64 latest = latestTreeSize;
        if (treeSize <= latest) revert TreeSizeMustGrow(latest, treeSize);
        latestTreeSize = treeSize;
        roots[treeSize] = root;
        emit Anchored(treeSize, root, fabricChannel, fabricBlockHeight);
    }

    /// @notice The root anchored for exactly `treeSize`, or zero if none was: an auditor holding a proof for a
    ///         size that was never anchored must fall back to a later anchored size and a consistency proof.
    function rootAt(uint64 treeSize) external view returns (bytes32) {
        return roots[treeSize];
    }
}
