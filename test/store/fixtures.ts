// Documents and record drafts for the store tests: valid shapes with only the fields a test cares about varying.
import type { Company, Member, Reservation, Scenario } from "../../service/domain/model";
import type { BatchAnchor, PendingRecord, RecordDraft, Store, StoredBatch, StoredProof, WriteGuard } from "../../service/store/port";
import type { IdempotencyEntry } from "../../service/http/idempotency";
import { buildTree, GENESIS_PREV, receiptProof, recordLeafHash, rootOf, sm3, toHex, utf8, type EvidenceRecord, type JsonValue, type RecordType } from "../../service/evidence";
import { batchTree } from "../../service/anchoring/batch-tree";

export const AT = "2026-11-22T08:00:00.000Z";

export function company(id: string, creditCode: string, name = `Company ${id}`): Company {
  return {
    id,
    company: id,
    name,
    creditCode,
    legalRepName: "张三",
    legalRepIdNumber: "11010519491231002X",
    registryCheck: { checkedAt: AT, method: "format", ok: true, note: "formats and check digits only" },
    createdAt: AT,
  };
}

export function member(id: string, companyId: string, fields: Partial<Member> = {}): Member {
  return { id, company: companyId, name: `Member ${id}`, roles: ["employee"], department: "sales", active: true, createdAt: AT, ...fields };
}

export function scenario(id: string, companyId: string, code: string): Scenario {
  return {
    id,
    company: companyId,
    code,
    name: `Scenario ${code}`,
    sealKinds: ["electronic"],
    sealTypes: ["contract"],
    approval: "none",
    dualControl: false,
    createdAt: AT,
  };
}

export function reservation(id: string, companyId: string, expiresAt: string): Reservation {
  return { id, company: companyId, member: "m_member", seal: "s_seal", expiresAt, createdAt: AT };
}

export function idempotencyEntry(id: string, companyId: string, expiresAt: string): IdempotencyEntry {
  return { id, company: companyId, fingerprint: `fp-${id}`, status: 0, body: "", createdAt: AT, expiresAt };
}

/** The guard http writes for an idempotency entry: the entry, naming what the write created. */
export function guardOf(entry: IdempotencyEntry): WriteGuard {
  return { kind: "idempotency", id: entry.id, document: (created) => ({ ...entry, created }) };
}

export function draft(companyId: string, data: { [key: string]: JsonValue } = {}, type: RecordType = "member.added"): RecordDraft {
  return { type, at: AT, company: companyId, subject: "m_subject", actor: "m_actor", data };
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject, but it resolved");
}

export function anchor(txByte: string, blockNumber: number): BatchAnchor {
  return { chainId: 31337, contract: `0x${"ab".repeat(20)}`, txHash: `0x${txByte.repeat(32)}`, blockNumber, anchoredAt: AT };
}

/** The proofs of a batch's records, computed here from its stored texts with the evidence core's own tree. */
export async function expectedProofs(store: Store, batch: Pick<StoredBatch, "firstSeq" | "count" | "root">): Promise<StoredProof[]> {
  const texts = await store.batches.recordTexts(batch.firstSeq, batch.count);
  const tree = buildTree(sm3, texts.map(utf8));
  if (toHex(rootOf(tree)) !== batch.root) throw new Error(`batch from seq ${batch.firstSeq}: stored root is not the tree's`);
  return texts.map((_, i) => {
    const { leaf, path } = receiptProof(tree, i);
    return { leaf, path };
  });
}

/**
 * Runs the sequencer once over at most `max` waiting records, as the batcher does, and checks it closed batch `id`
 * from `firstSeq` over `count` of them; returns the batch and the proofs it must have stored.
 */
export async function closeBatch(store: Store, id: number, firstSeq: number, count: number): Promise<{ batch: StoredBatch; proofs: StoredProof[] }> {
  const batch = await store.batches.sequence(count, new Date(AT), batchTree);
  if (batch === null || batch.id !== id || batch.firstSeq !== firstSeq || batch.count !== count) {
    throw new Error(`expected batch ${id} of ${count} from seq ${firstSeq}, the sequencer closed ${JSON.stringify(batch)}`);
  }
  return { batch, proofs: await expectedProofs(store, batch) };
}

/** Sequences every waiting record, a batch of at most `max` at a time; resolves with the batches closed. */
export async function sequenceAll(store: Store, max = 1_000): Promise<StoredBatch[]> {
  const closed: StoredBatch[] = [];
  for (let batch = await store.batches.sequence(max, new Date(AT), batchTree); batch !== null; batch = await store.batches.sequence(max, new Date(AT), batchTree)) closed.push(batch);
  return closed;
}

/** Records accepted so far, sequenced or waiting. */
export async function acceptedCount(store: Store): Promise<number> {
  return (await store.records.count()) + (await store.records.waiting()).count;
}

/**
 * What pending records read as once sequenced from `firstSeq` in the order given, when the log held none of their
 * companies' records before: their seq, and for v2 records each company's cseq from 0 and prev, the leaf hash of the
 * company's previous record, computed here from the evidence core's canonical bytes (not the store's splice).
 */
export function sequencedAs(pending: ReadonlyArray<EvidenceRecord | PendingRecord>, firstSeq = 0): EvidenceRecord[] {
  const heads = new Map<string, { next: number; leaf: string }>();
  return pending.map((record, i) => {
    const head = heads.get(record.company) ?? { next: 0, leaf: GENESIS_PREV };
    const { v, type, at, company, subject, actor, data } = record;
    const fields = { seq: firstSeq + i, type, at, company, subject, actor, data };
    const final: EvidenceRecord = v === 2 ? { v, ...fields, cseq: head.next, prev: head.leaf } : { v, ...fields };
    heads.set(company, { next: head.next + 1, leaf: toHex(recordLeafHash(final)) });
    return final;
  });
}
