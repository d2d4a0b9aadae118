// The public receipt view (GET /api/v1/receipts/:id) judged as a whole, for the verify page and `sealproof verify`:
// the receipt with its registrations, a stamp's story, and the documents linked to the usage since, each verified.
import { checkStampStory, type StampFacts, type StampStoryReceipts } from "./stamp-story";
import { verifyReceipt, type ChainReader, type VerifyReport } from "./verify-receipt";
import type { Deployment } from "./deployment";
import type { EvidenceRecord } from "./record";

/** The view as a server sends it: nothing in it is trusted until verified. */
export interface ReceiptViewInput {
  receipt: unknown;
  sealReceipt?: unknown;
  deviceReceipt?: unknown;
  companyReceipt?: unknown;
  story?: StampStoryReceipts;
  documents?: unknown[];
}

/** A file tied to the usage after the fact by a verified `document.linked` record. */
export interface LinkedDocument {
  role: string;
  hash: string;
}

export interface ViewReport extends VerifyReport {
  /** For a smart seal's stamp: what its verified story establishes. */
  stamp: (StampFacts & { deviceModel: string | null }) | null;
  /** Linked documents whose records verified and name this usage; any others are left out. */
  linked: LinkedDocument[];
}

export interface ViewOptions {
  deployment: Deployment;
  /** The receipt id the visitor asked for (QR, URL). */
  receiptId?: string;
}

/** The parts of a view a verifier uses, read from untrusted JSON without judging them. */
export function readReceiptView(json: unknown): ReceiptViewInput {
  const v = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
  const s = (typeof v.story === "object" && v.story !== null ? v.story : {}) as Record<string, unknown>;
  return {
    receipt: v.receipt, sealReceipt: v.sealReceipt, deviceReceipt: v.deviceReceipt, companyReceipt: v.companyReceipt,
    story: { request: s.request, approval: s.approval, custody: Array.isArray(s.custody) ? s.custody : [], authorization: s.authorization },
    documents: Array.isArray(v.documents) ? v.documents : [],
  };
}

/**
 * verifyReceipt() over the view's receipt and registrations; for `seal.stamped`, the story's approval, custody and
 * authorization steps too (a stamp is judged by its record type, never by what the server chose to bundle); and the
 * linked documents. Every step runs; `code` names the first failure.
 */
export async function verifyReceiptView(view: ReceiptViewInput, chain: ChainReader, options: ViewOptions): Promise<ViewReport> {
  const { deployment, receiptId } = options;
  const report = await verifyReceipt(view.receipt, chain, { deployment, receiptId, sealReceipt: view.sealReceipt, deviceReceipt: view.deviceReceipt, companyReceipt: view.companyReceipt });
  const verified = new Map<unknown, Promise<EvidenceRecord | null>>();
  const verify = (input: unknown): Promise<EvidenceRecord | null> => {
    let found = verified.get(input);
    if (found === undefined) {
      found = verifyReceipt(input, chain, { deployment }).then((r) => (r.ok ? r.record : null));
      verified.set(input, found);
    }
    return found;
  };
  const record = report.record;
  const steps = [...report.steps];
  let stamp: ViewReport["stamp"] = null;
  if (record !== null && record.type === "seal.stamped") {
    const story = await checkStampStory(record, view.story ?? {}, verify);
    steps.push(...story.steps);
    stamp = { ...story.facts, deviceModel: await deviceModel(record, view.deviceReceipt, verify) };
  }
  const linked = record === null ? [] : await linkedDocuments(record, view.documents ?? [], verify);
  const failed = steps.find((s) => !s.ok);
  return { ...report, ok: failed === undefined, code: failed?.code ?? null, steps, stamp, linked };
}

async function deviceModel(stamp: EvidenceRecord, input: unknown, verify: (input: unknown) => Promise<EvidenceRecord | null>): Promise<string | null> {
  if (input === undefined || input === null) return null;
  const device = await verify(input);
  const same = device !== null && device.type === "device.registered" && device.company === stamp.company && device.subject === stamp.data.device;
  return same && typeof device.data.model === "string" ? device.data.model : null;
}

/** Linked documents of the usage's own receipt id, recorded after it by its company. */
async function linkedDocuments(usage: EvidenceRecord, inputs: unknown[], verify: (input: unknown) => Promise<EvidenceRecord | null>): Promise<LinkedDocument[]> {
  const receipt = usage.data.receipt;
  if (typeof receipt !== "string") return [];
  const out: LinkedDocument[] = [];
  for (const input of inputs) {
    const linked = await verify(input);
    if (linked === null || linked.type !== "document.linked" || linked.company !== usage.company || linked.subject !== receipt || linked.seq <= usage.seq) continue;
    const { role, hash } = linked.data;
    if (linked.data.receipt === receipt && typeof role === "string" && typeof hash === "string") out.push({ role, hash });
  }
  return out;
}
