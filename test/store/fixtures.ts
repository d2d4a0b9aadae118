// Documents and record drafts for the store tests: valid shapes with only the fields a test cares about varying.
import type { Company, Member, Reservation, Scenario } from "../../service/domain/model";
import type { BatchAnchor, RecordDraft, Store, StoredBatch, StoredProof, WriteGuard } from "../../service/store/port";
import type { IdempotencyEntry } from "../../service/http/idempotency";
import { buildTree, receiptProof, rootOf, sm3, toHex, utf8, type JsonValue, type RecordType } from "../../service/evidence";
import { encodeProof } from "../../service/store/batches";

const AT = "2026-11-22T08:00:00.000Z";

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

/** A batch over the stored texts of [firstSeq, firstSeq + count) with its real SM3 tree root and proofs, not yet closed. */
export async function batchOver(store: Store, id: number, firstSeq: number, count: number): Promise<{ batch: Omit<StoredBatch, "anchor">; proofs: StoredProof[] }> {
  const texts = await store.batches.recordTexts(firstSeq, count);
  const tree = buildTree(sm3, texts.map(utf8));
  const proofs = texts.map((_, i) => {
    const { leaf, path } = receiptProof(tree, i);
    return { leaf, path };
  });
  return { batch: { id, firstSeq, count, root: toHex(rootOf(tree)), closedAt: AT }, proofs };
}

/** Closes the batch batchOver() describes and returns it as the store should give it back. */
export async function closeBatch(store: Store, id: number, firstSeq: number, count: number): Promise<{ batch: StoredBatch; proofs: StoredProof[] }> {
  const { batch, proofs } = await batchOver(store, id, firstSeq, count);
  await store.batches.close(batch, proofs.map(encodeProof));
  return { batch: { ...batch, anchor: null }, proofs };
}
