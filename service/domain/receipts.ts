// Receipts as the API shows them: by unguessable receipt id for anyone (with public facts about the seal), by seq
// for members who may read the log. A usage's or stamp's receipt comes with its seal's registration receipt and the
// documents linked to it since, and every receipt with the company's `company.registered` receipt once anchored: what
// the verify page and the CLI check against. A stamp's story (devices/public-stamps.ts) is added by the public route.
import { refuse } from "./errors";
import { getRecord, listRecords } from "./records";
import { receiptFor, type ReceiptLookup } from "../anchoring/receipts";
import type { Actor, DomainContext } from "./context";
import type { EvidenceRecord, ReceiptBundle } from "../evidence";
import type { PendingRecord, RecordFilter } from "../store/port";
import type { Seal } from "./model";

export interface ReceiptView {
  status: ReceiptLookup["status"];
  receipt?: ReceiptBundle;
  sealReceipt?: ReceiptBundle;
  /** The company's `company.registered` receipt, once anchored. */
  companyReceipt?: ReceiptBundle;
  seal?: { company: string; name: string; kind: string; type: string; status: string };
  /** The anchored `document.linked` records of a usage or stamp: the scan of the stamped page, the final PDF, a print. */
  documents?: ReceiptBundle[];
}

export type ReceiptListItem = { seq: number; status: "anchored"; receipt: ReceiptBundle } | { seq: number; status: "pending" };

/** A usage's receipt by its receipt id, for anyone holding the id; an unknown id is NOT_FOUND. */
export async function publicReceipt(ctx: DomainContext, receiptId: string): Promise<ReceiptView> {
  return receiptView(ctx, await usageRecord(ctx, receiptId), true);
}

/** Refuses NOT_FOUND unless a usage with this receipt id is recorded (the QR routes encode only links that resolve). */
export async function requireReceipt(ctx: DomainContext, receiptId: string): Promise<void> {
  await usageRecord(ctx, receiptId);
}

/** The receipt of one of the actor's company's records, under the rule for reading records. */
export async function recordReceipt(ctx: DomainContext, actor: Actor, seq: number): Promise<ReceiptView> {
  return receiptView(ctx, await getRecord(ctx, actor, seq), false);
}

/** The receipts of a page of the company's records, by seq. */
export async function listReceipts(ctx: DomainContext, actor: Actor, fromSeq: number, limit: number): Promise<{ receipts: ReceiptListItem[]; nextFromSeq: number | null }> {
  const page = await listRecords(ctx, actor, fromSeq, limit);
  const receipts = await Promise.all(
    page.records.map(async (r): Promise<ReceiptListItem> => {
      const lookup = await receiptFor(ctx.store, r);
      return lookup.status === "anchored" ? { seq: r.seq, status: lookup.status, receipt: lookup.receipt } : { seq: r.seq, status: lookup.status };
    }),
  );
  return { receipts, nextFromSeq: page.nextFromSeq };
}

async function usageRecord(ctx: DomainContext, receiptId: string): Promise<EvidenceRecord | PendingRecord> {
  const logged = await ctx.store.records.getByReceipt(receiptId);
  if (logged === null) refuse("NOT_FOUND", "no receipt with this id");
  return logged.record;
}

/** A record's receipt with what checking it needs; `publicFacts` adds what the service says of the seal now. */
export async function receiptView(ctx: DomainContext, record: EvidenceRecord | PendingRecord, publicFacts: boolean): Promise<ReceiptView> {
  const lookup = await receiptFor(ctx.store, record);
  const out: ReceiptView = { status: lookup.status };
  if (lookup.status === "anchored") out.receipt = lookup.receipt;
  const companyReceipt = await companyRegistrationReceipt(ctx, record.company);
  if (companyReceipt) out.companyReceipt = companyReceipt;
  if (record.type !== "seal.used" && record.type !== "seal.stamped") return out;
  if (typeof record.data.receipt === "string") out.documents = await linkedDocuments(ctx, record.company, record.data.receipt);
  const seal = await ctx.store.seals.get(record.subject);
  if (seal === null) return out;
  const sealKey = seal.registrationRecord ?? (seal.registeredSeq === undefined ? null : `seq:${seal.registeredSeq}`);
  const sealReceipt = sealKey === null ? null : await anchoredOnce(ctx, `seal ${sealKey}`, () => registrationOf(ctx, seal));
  if (sealReceipt) out.sealReceipt = sealReceipt;
  if (publicFacts) out.seal = await sealFacts(ctx, seal);
  return out;
}

/** The seal's `seal.registered` record: by its record id, or by seq for a seal registered before records had ids. */
async function registrationOf(ctx: DomainContext, seal: Seal): Promise<EvidenceRecord | PendingRecord | null> {
  if (seal.registrationRecord !== undefined) return (await ctx.store.records.byId(seal.registrationRecord))?.record ?? null;
  return seal.registeredSeq === undefined ? null : ctx.store.records.get(seal.registeredSeq);
}

/** The anchored receipts of the documents linked to a usage (their subject is its receipt id), in the order linked. */
async function linkedDocuments(ctx: DomainContext, company: string, receiptId: string): Promise<ReceiptBundle[]> {
  return anchoredReceipts(ctx, { company, type: "document.linked", subject: receiptId });
}

/** The anchored receipts of a company's records matching `filter`, in time order; those still pending are left out. */
export async function anchoredReceipts(ctx: DomainContext, filter: RecordFilter): Promise<ReceiptBundle[]> {
  const out: ReceiptBundle[] = [];
  let after: string | undefined;
  do {
    const page = await ctx.store.records.page(filter, { limit: 100, after });
    for (const { record } of page.items) {
      const lookup = await receiptFor(ctx.store, record);
      if (lookup.status === "anchored") out.push(lookup.receipt);
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  return out;
}

/** The company's `company.registered` record carries its registered name and credit code; it is written once. */
async function companyRegistrationReceipt(ctx: DomainContext, company: string): Promise<ReceiptBundle | null> {
  return anchoredOnce(ctx, `company ${company}`, async () => {
    const { items } = await ctx.store.records.page({ company, type: "company.registered", subject: company }, { limit: 1 });
    return items.length === 0 ? null : items[0].record;
  });
}

/**
 * A registration's anchored receipt, kept per store once built: every public read of a usage carries its seal's and
 * its company's, the same bundles for every usage of the seal, and building them was two thirds of a read's store
 * calls and of what it allocated (bench:anchor). A record never changes once written; what can is its batch's anchor
 * (the dev chain, lost and anchored again), so each use reads the batch (one indexed row) and builds the bundle again
 * when its anchor is not the one kept. Kept bundles are frozen: they go out in many answers. Bounded: cleared when full.
 */
type Kept = { seq: number; batch: number; txHash: string; blockNumber: number; bundle: ReceiptBundle };
const keptReceipts = new WeakMap<object, Map<string, Kept>>();
const KEPT_MAX = 10_000;

async function anchoredOnce(ctx: DomainContext, key: string, find: () => Promise<EvidenceRecord | PendingRecord | null>): Promise<ReceiptBundle | null> {
  let kept = keptReceipts.get(ctx.store);
  if (kept === undefined) {
    kept = new Map();
    keptReceipts.set(ctx.store, kept);
  }
  const known = kept.get(key);
  if (known !== undefined) {
    const batch = await ctx.store.batches.forSeq(known.seq);
    if (batch !== null && batch.id === known.batch && batch.anchor?.txHash === known.txHash && batch.anchor.blockNumber === known.blockNumber) return known.bundle;
    kept.delete(key);
  }
  const record = await find();
  if (record === null) return null;
  const lookup = await receiptFor(ctx.store, record);
  if (lookup.status !== "anchored") return null;
  const bundle = lookup.receipt;
  if (kept.size >= KEPT_MAX) kept.clear();
  kept.set(key, { seq: bundle.record.seq, batch: bundle.batch.id, txHash: bundle.anchor.txHash, blockNumber: bundle.anchor.blockNumber, bundle: deepFreeze(bundle) });
  return bundle;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** What the service says of the seal now; the page shows the anchored facts from the receipts instead where they exist. */
async function sealFacts(ctx: DomainContext, seal: Seal): Promise<NonNullable<ReceiptView["seal"]>> {
  const company = await ctx.store.companies.get(seal.company);
  return { company: company?.name ?? "", name: seal.name, kind: seal.kind, type: seal.type, status: seal.status };
}
