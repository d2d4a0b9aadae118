// Proofs on MongoDB, in chunk documents: a batch's proofs are cut into runs of PROOFS_PER_CHUNK, each one document
// `{_id: seq of its first proof, batch, proofs: [Binary, …]}`. One document per record made the proofs collection as
// large in documents (and index entries) as the log itself, and a batch of 4,096 one insert of 4,096 documents; a
// chunk is one document and one index entry for a thousand proofs. Chunks are written once, in the batch's
// transaction, and never changed.
import { mongo } from "mongoose";
import { decodeProof } from "../batches";
import type { StoredProof } from "../port";
import { PROOFS_PER_CHUNK } from "./limits";

export const PROOF_CHUNKS = "proofChunks";
/** Proofs stored before chunks, one document per seq; read when no chunk covers a seq. */
export const LEGACY_PROOFS = "proofs";

export interface ProofChunkDocument {
  /** The seq of its first proof. */
  _id: number;
  batch: number;
  /** proofs[i] is the proof of seq _id + i: leaf hash ‖ audit path, 32 bytes each (see encodeProof). */
  proofs: mongo.Binary[];
}

interface LegacyProofDocument {
  _id: number;
  proof: mongo.Binary;
}

/** The chunk documents of batch `batch`, whose first record is firstSeq. */
export function proofChunks(batch: number, firstSeq: number, encoded: readonly Buffer[]): ProofChunkDocument[] {
  const chunks: ProofChunkDocument[] = [];
  for (let at = 0; at < encoded.length; at += PROOFS_PER_CHUNK) {
    chunks.push({ _id: firstSeq + at, batch, proofs: encoded.slice(at, at + PROOFS_PER_CHUNK).map((proof) => new mongo.Binary(proof)) });
  }
  return chunks;
}

/**
 * The proof of `seq`, one round trip and one proof on the wire: the chunk starting at or before seq (the _id index,
 * backwards), with only the element at seq - _id projected out of its array by the server.
 */
export async function readProof(db: mongo.Db, seq: number, session: mongo.ClientSession): Promise<StoredProof | null> {
  const [found] = await db
    .collection<ProofChunkDocument>(PROOF_CHUNKS)
    .aggregate<{ proof: mongo.Binary | null }>(
      [
        { $match: { _id: { $lte: seq } } },
        { $sort: { _id: -1 } },
        { $limit: 1 },
        // $arrayElemAt past the end gives nothing: a seq beyond the last batch's chunk.
        { $project: { _id: 0, proof: { $ifNull: [{ $arrayElemAt: ["$proofs", { $subtract: [seq, "$_id"] }] }, null] } } },
      ],
      { session },
    )
    .toArray();
  if (found?.proof) return decodeProof(found.proof.value());
  const legacy = await db.collection<LegacyProofDocument>(LEGACY_PROOFS).findOne({ _id: seq }, { session });
  return legacy === null ? null : decodeProof(legacy.proof.value());
}
