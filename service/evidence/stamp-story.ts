// The story of a smart seal's stamp, judged from anchored records only: the request approved, custody confirmed by
// two people in two roles, the authorization issued to this very device before the stamp, covering its receipt id
// and its time. Whatever a server bundles, a stamp shows as authorized only when every link of this chain holds.
import { toHex, utf8 } from "./bytes";
import { sm3 } from "./hash";
import { fail, pass, type StepResult, type VerifyCode } from "./verify-steps";
import type { EvidenceRecord } from "./record";

/** How far a device's clock may run ahead, or start before its authorization, and a stamp still count. */
export const STAMP_CLOCK_SKEW_MS = 120_000;

/** The receipts that tell a stamp's story, as a server bundles them: untrusted until verified. */
export interface StampStoryReceipts {
  request?: unknown;
  approval?: unknown;
  custody?: unknown[];
  authorization?: unknown;
}

/** Verifies a related receipt in the pinned deployment: its record once every step passed, else null. */
export type VerifyRelated = (input: unknown) => Promise<EvidenceRecord | null>;

/** What the story establishes, from verified records; null where it could not be established. */
export interface StampFacts {
  /** True only when the record says authorized and every link of its story verified. */
  authorized: boolean;
  /** The reasons the device's record gives for an unauthorized stamp. */
  reasons: string[];
  /** Which of the authorization's reserved copies this stamp is (1-based), and how many it allowed. */
  copy: { k: number; n: number } | null;
  approvalLevel: string | null;
  custodyRoles: string[];
  /** The hash of the document the request was approved for. */
  requestDocumentHash: string | null;
}

export interface StampStory {
  steps: StepResult[];
  facts: StampFacts;
}

/** SM3 of a receipt id's UTF-8, hex: what an authorization's record lists instead of the ids themselves. */
export function receiptIdHash(receiptId: string): string {
  return toHex(sm3(utf8(receiptId)));
}

/**
 * Judges a `seal.stamped` record's story. An unauthorized record fails its authorization step with the record's own
 * reasons; an authorized one must have its request and approval, both custody confirmations and its authorization
 * bundled, each verifying and in order before the stamp, all of one company, request, device and seal.
 */
export async function checkStampStory(stamp: EvidenceRecord, receipts: StampStoryReceipts, verify: VerifyRelated): Promise<StampStory> {
  const facts: StampFacts = { authorized: false, reasons: [], copy: null, approvalLevel: null, custodyRoles: [], requestDocumentHash: null };
  if (stamp.data.authorized !== true) {
    facts.reasons = Array.isArray(stamp.data.reasons) ? stamp.data.reasons.filter((r): r is string => typeof r === "string") : [];
    const why = facts.reasons.length > 0 ? facts.reasons.join(", ") : "no reason given";
    return { steps: [fail("authorization", "STAMP_UNAUTHORIZED", `The stamp was recorded as NOT authorized: ${why}.`)], facts };
  }
  const authorization = await related(receipts.authorization, verify);
  const request = typeof authorization?.data.request === "string" ? authorization.data.request : null;
  const approval = await checkApproval(stamp, request, authorization, receipts, verify, facts);
  const custody = await checkCustody(stamp, request, authorization, approval.approvedSeq, receipts, verify, facts);
  const authorized = checkAuthorization(stamp, receipts.authorization, authorization, facts);
  const steps = [approval.step, custody, authorized];
  facts.authorized = steps.every((s) => s.ok);
  return { steps, facts };
}

async function checkApproval(
  stamp: EvidenceRecord, request: string | null, authorization: EvidenceRecord | null, receipts: StampStoryReceipts, verify: VerifyRelated, facts: StampFacts,
): Promise<{ step: StepResult; approvedSeq: number | null }> {
  const bad = (message: string) => ({ step: fail("approval", "APPROVAL_INVALID", message), approvedSeq: null });
  if (request === null || authorization === null) return bad("Without a verified authorization there is no request whose approval could be checked.");
  const created = await related(receipts.request, verify);
  const approved = await related(receipts.approval, verify);
  if (!isOf(created, "request.created", stamp, request) || created.data.seal !== stamp.subject) {
    return bad("The request's creation is missing, does not verify, or is of another request, company or seal.");
  }
  if (!isOf(approved, "request.approved", stamp, request)) return bad("The request's approval is missing, does not verify, or is of another request or company.");
  if (!(created.seq < approved.seq && approved.seq < authorization.seq)) return bad("The approval does not come between the request and the authorization.");
  facts.approvalLevel = typeof approved.data.level === "string" ? approved.data.level : null;
  facts.requestDocumentHash = typeof created.data.documentHash === "string" ? created.data.documentHash : null;
  return { step: pass("approval", `Request ${request} was approved (${facts.approvalLevel ?? "level not recorded"}) before the authorization.`), approvedSeq: approved.seq };
}

/** Both custody confirmations, of this request, in two roles by two members, after the approval and before the authorization; none other. */
async function checkCustody(
  stamp: EvidenceRecord, request: string | null, authorization: EvidenceRecord | null, approvedSeq: number | null, receipts: StampStoryReceipts, verify: VerifyRelated, facts: StampFacts,
): Promise<StepResult> {
  const bad = (message: string) => fail("custody", "CUSTODY_INVALID", message);
  if (request === null || authorization === null || approvedSeq === null) return bad("Custody can only be checked against a verified request, approval and authorization.");
  const bundled = Array.isArray(receipts.custody) ? receipts.custody : [];
  const confirmations: EvidenceRecord[] = [];
  for (const input of bundled) {
    const record = await related(input, verify);
    if (!isOf(record, "request.custody-confirmed", stamp, request)) return bad("A custody confirmation does not verify, or belongs to another request or company.");
    if (!(approvedSeq < record.seq && record.seq < authorization.seq)) return bad("A custody confirmation does not come between the approval and the authorization.");
    confirmations.push(record);
  }
  const roles = new Set(confirmations.map((c) => c.data.role));
  const members = new Set(confirmations.map((c) => c.actor));
  if (!roles.has("custodian") || !roles.has("reviewer") || members.size < 2) {
    return bad("Custody was not confirmed by both the custodian and the reviewer, two different members.");
  }
  facts.custodyRoles = ["custodian", "reviewer"];
  return pass("custody", "The seal's custodian and reviewer, two different members, confirmed custody before the authorization.");
}

function checkAuthorization(stamp: EvidenceRecord, bundled: unknown, authorization: EvidenceRecord | null, facts: StampFacts): StepResult {
  const bad = (code: VerifyCode, message: string) => fail("authorization", code, message);
  if (bundled === undefined || bundled === null) return bad("AUTHORIZATION_MISSING", "The stamp's authorization (device.unlock-issued) is not given.");
  const d = authorization?.data;
  if (authorization === null || d === undefined || authorization.type !== "device.unlock-issued" || authorization.company !== stamp.company || d.authorization !== stamp.data.authorization) {
    return bad("AUTHORIZATION_INVALID", "The authorization does not verify, or is not this stamp's authorization or company.");
  }
  if (authorization.subject !== stamp.data.device || d.seal !== stamp.subject) return bad("AUTHORIZATION_OTHER_DEVICE", "The authorization was issued to another device or seal.");
  if (!(authorization.seq < stamp.seq)) return bad("AUTHORIZATION_NOT_BEFORE_STAMP", "The authorization was recorded after the stamp.");
  const hashes = Array.isArray(d.receiptHashes) ? d.receiptHashes : [];
  const k = typeof stamp.data.receipt === "string" ? hashes.indexOf(receiptIdHash(stamp.data.receipt)) : -1;
  if (k < 0) return bad("RECEIPT_NOT_AUTHORIZED", "The stamp's receipt id is not one the authorization reserved.");
  const at = Date.parse(typeof stamp.data.deviceAt === "string" ? stamp.data.deviceAt : stamp.at);
  const from = Date.parse(typeof d.validFrom === "string" ? d.validFrom : "") - STAMP_CLOCK_SKEW_MS;
  const until = Math.min(Date.parse(typeof d.validUntil === "string" ? d.validUntil : ""), Date.parse(stamp.at) + STAMP_CLOCK_SKEW_MS);
  if (!(at >= from && at <= until)) return bad("OUTSIDE_AUTHORIZED_WINDOW", "The stamp's time is outside the authorization's window.");
  facts.copy = { k: k + 1, n: typeof d.copies === "number" ? d.copies : hashes.length };
  return pass("authorization", `Authorized for this device before the stamp: copy ${k + 1} of ${facts.copy.n}, within its window.`);
}

async function related(input: unknown, verify: VerifyRelated): Promise<EvidenceRecord | null> {
  return input === undefined || input === null ? null : verify(input);
}

function isOf(record: EvidenceRecord | null, type: string, stamp: EvidenceRecord, subject: string): record is EvidenceRecord {
  return record !== null && record.type === type && record.company === stamp.company && record.subject === subject;
}
