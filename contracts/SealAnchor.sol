// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title SealAnchor — the on-chain registry of sealproof batch roots
/// @notice Each batch covers the contiguous evidence range [firstSeq, firstSeq + count). Batches are
///         anchored in order with no gaps, overlaps or rewrites, so the chain alone proves that no
///         anchored record was removed or reordered.
contract SealAnchor is AccessControl {
    /// @notice Accounts holding this role may anchor batches.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    error BatchOutOfOrder(uint64 expected, uint64 given);
    error SequenceGap(uint64 expected, uint64 given);
    error EmptyBatch();
    error UnknownBatch(uint64 batchId);

    event BatchAnchored(uint64 indexed batchId, bytes32 indexed root, uint64 firstSeq, uint32 count);

    // Two storage slots per batch: the root, then firstSeq | count | anchoredAt | blockNumber (64+32+64+64 bits).
    struct Batch {
        bytes32 root;
        uint64 firstSeq;
        uint32 count;
        uint64 anchoredAt;
        uint64 blockNumber;
    }

    mapping(uint64 batchId => Batch) private _batches;
    // One slot: the next batch id, the next expected sequence number, and a flag set at deployment so the
    // slot is never zero and the first anchor pays for an update (5,000 gas), not a fresh write (20,000).
    uint64 private _batchCount;
    uint64 private _nextSeq;
    bool private _deployed;

    constructor(address admin, address anchorer) {
        _deployed = true;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ANCHORER_ROLE, anchorer);
    }

    /// @notice Anchor batch `batchId`, the Merkle root of records [firstSeq, firstSeq + count).
    /// @dev Reverts unless batchId == batchCount(), firstSeq == nextSeq() and count > 0.
    function anchor(uint64 batchId, bytes32 root, uint64 firstSeq, uint32 count) external onlyRole(ANCHORER_ROLE) {
        _anchor(batchId, root, firstSeq, count);
    }

    /// @notice The anchored batch `id`; reverts with UnknownBatch for an id not yet anchored.
    function batch(uint64 id)
        external
        view
        returns (bytes32 root, uint64 firstSeq, uint32 count, uint64 anchoredAt, uint64 blockNumber)
    {
        if (id >= _batchCount) revert UnknownBatch(id);
        Batch storage b = _batches[id];
        return (b.root, b.firstSeq, b.count, b.anchoredAt, b.blockNumber);
    }

    /// @notice How many batches are anchored; also the id the next batch must carry.
    function batchCount() external view returns (uint64) {
        return _batchCount;
    }

    /// @notice The sequence number the next batch must start at.
    function nextSeq() external view returns (uint64) {
        return _nextSeq;
    }

    function _anchor(uint64 batchId, bytes32 root, uint64 firstSeq, uint32 count) private {
        uint64 expectedId = _batchCount;
        uint64 expectedSeq = _nextSeq;
        if (batchId != expectedId) revert BatchOutOfOrder(expectedId, batchId);
        if (firstSeq != expectedSeq) revert SequenceGap(expectedSeq, firstSeq);
        if (count == 0) revert EmptyBatch();
        _batches[batchId] = Batch(root, firstSeq, count, uint64(block.timestamp), uint64(block.number));
        _batchCount = expectedId + 1;
        _nextSeq = expectedSeq + count;
        emit BatchAnchored(batchId, root, firstSeq, count);
    }
}
