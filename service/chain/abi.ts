// The SealAnchor ABI fragments the service uses, kept by hand so the browser bundle needs no artifacts.
export const SEAL_ANCHOR_READ_ABI = [
  "function batch(uint64 id) view returns (bytes32 root, uint64 firstSeq, uint32 count, uint64 anchoredAt, uint64 blockNumber)",
  "function batchCount() view returns (uint64)",
  "function nextSeq() view returns (uint64)",
  "error UnknownBatch(uint64 batchId)",
] as const;

export const SEAL_ANCHOR_WRITE_ABI = [
  ...SEAL_ANCHOR_READ_ABI,
  "function anchor(uint64 batchId, bytes32 root, uint64 firstSeq, uint32 count)",
  "event BatchAnchored(uint64 indexed batchId, bytes32 indexed root, uint64 firstSeq, uint32 count)",
  "error BatchOutOfOrder(uint64 expected, uint64 given)",
  "error SequenceGap(uint64 expected, uint64 given)",
  "error EmptyBatch()",
] as const;
