// One spec per record type: the shape of its data, whether it carries a unique public receipt id, and the
// extra verification step it needs, if any. Adding a record type is adding a row here.
import { bool, hex, int, list, nullable, object, oneOf, optional, str, type Shape, type ShapeOf } from "./shape";
import { checkUsage, sealUsedData } from "./usage";
import { checkStamp } from "./stamp";
import type { StepResult } from "./verify-steps";
import type { EvidenceRecord } from "./record";

/** What a type-specific verification step gets: the record, and a way to verify a related receipt in the same deployment. */
export interface SpecCheckContext {
  /** Receipts given beside the one being verified, by role (e.g. the seal's registration receipt). */
  related: { sealReceipt?: unknown; deviceReceipt?: unknown };
  verifyRelated(input: unknown): Promise<{ record: EvidenceRecord | null; deploymentTrusted: boolean }>;
}

export interface SpecCheck<F> {
  step: StepResult;
  /** Facts established by the step from anchored records (e.g. the seal's registered name). */
  facts?: F;
}

export interface RecordSpec<D> {
  data: Shape<D>;
  /** Records of this type carry `data.receipt`, an unguessable id unique across the log: their public handle. */
  receiptId: boolean;
  check?: (record: EvidenceRecord, context: SpecCheckContext) => Promise<SpecCheck<SealFacts>>;
}

/** The seal as its anchored registration describes it. */
export interface SealFacts {
  id: string;
  name: string | null;
  kind: string | null;
  sealType: string | null;
}

const id = str;
const sm3 = hex(32);
const time = str;
/** Records whose data carries nothing but what the type says. */
const empty = object({});
const roles = object({ roles: list(str), department: nullable(str) });
const key = object({ key: id });

/**
 * A stamp a smart-seal device reported (its message `n`, its counter `stampNo`, its clock `deviceAt`), authorized or
 * not with reasons. `receipt` is the receipt id the stamp is recorded under, only when authorized: the one the device
 * scanned, or the next unused one of its authorization. `claimedReceipt` is what the device signed (what it scanned,
 * or null). The location is only committed to, by the device: SM3(salt ‖ JCS location), the salt kept apart and
 * erasable. `signature` is the device's over the stamp message, whose every field the record carries (stamp.ts);
 * records from before it lack it. A `manual` stamp was recorded by the custodian and the reviewer (`confirmedBy`)
 * while the device was out of order: it has no message, counter, device clock or signature.
 */
const sealStampedData = object({
  device: id, n: nullable(int), stampNo: nullable(int), authorized: bool, reasons: list(str), authorization: nullable(id), receipt: nullable(str), claimedReceipt: nullable(str),
  operator: object({ method: str, ref: nullable(str) }), photoHash: nullable(sm3), inGeofence: nullable(bool), locationCommitment: nullable(sm3), deviceAt: nullable(time),
  signature: optional(hex(64)), manual: optional(bool), confirmedBy: optional(list(id)),
});

/**
 * An authorization issued after dual custody: the device may stamp `copies` times within the window, inside a geofence
 * when `geofenced` (its circle is kept outside the log), each copy under one of the reserved receipt ids, of which the
 * record holds only the SM3 hashes, so that one copy's QR code does not reveal the others'.
 */
const unlockIssuedData = object({
  authorization: id, request: id, seal: id, operator: id, copies: int, validFrom: time, validUntil: time, geofenced: bool, receiptHashes: list(sm3), command: int,
});

/** What a linked document is to its usage: the scan of the stamped page, the archived final PDF, a printed copy. */
export const LINKED_DOCUMENT_ROLES = ["scan", "final", "print"] as const;
export type LinkedDocumentRole = (typeof LINKED_DOCUMENT_ROLES)[number];

const spec = <D>(data: Shape<D>, extra: Partial<Omit<RecordSpec<D>, "data">> = {}): RecordSpec<D> => ({ data, receiptId: false, ...extra });

export const RECORD_SPECS = {
  "company.registered": spec(object({ name: optional(str), creditCode: str, registryCheck: optional(str) })),
  "member.added": spec(roles),
  "member.roles-changed": spec(object({ roles: list(str), department: nullable(str), stepUp: optional(bool) })),
  "member.left": spec(empty),
  "member.key-issued": spec(key),
  "member.key-revoked": spec(key),
  /** A one-time link to register a passkey for the console was issued for the member (subject). */
  "member.invited": spec(object({ invitation: id })),
  /** The member registered a passkey through an invitation; the passkey, not its public key, is named. */
  "member.passkey-registered": spec(object({ passkey: id, invitation: id })),
  "seal.registered": spec(
    object({
      name: optional(str), kind: oneOf("electronic", "physical"), sealType: str, publicKey: nullable(str), imageHash: optional(nullable(sm3)),
      device: optional(nullable(str)), custodian: optional(nullable(id)), reviewer: optional(nullable(id)), replaces: optional(nullable(id)),
    }),
  ),
  "seal.suspended": spec(empty),
  "seal.resumed": spec(empty),
  "seal.revoked": spec(empty),
  "seal.replaced": spec(object({ replacedBy: id })),
  "seal.destroyed": spec(empty),
  "scenario.defined": spec(object({ code: str, sealKinds: list(str), sealTypes: list(str), approval: str, dualControl: optional(bool), publicPhotos: optional(bool) })),
  "scenario.retired": spec(empty),
  "grant.given": spec(object({ member: id, seal: id, scenarios: list(id), validFrom: time, validTo: time, useLimit: nullable(int), parent: optional(nullable(id)) })),
  "grant.withdrawn": spec(object({ reason: str })),
  "request.created": spec(object({ seal: id, scenario: id, documentHash: sm3, copies: optional(int) })),
  "request.approved": spec(object({ level: optional(str), stepUp: optional(bool) })),
  "request.rejected": spec(object({ level: optional(str) })),
  "request.custody-confirmed": spec(object({ role: str, stepUp: optional(bool) })),
  "seal.used": spec(sealUsedData, { receiptId: true, check: checkUsage }),
  "device.registered": spec(object({ serial: str, model: str, publicKey: hex(65) })),
  "device.retired": spec(empty),
  "device.locked": spec(object({ reason: oneOf("unauthorized-stamp", "tamper", "replay", "remote"), n: optional(int) })),
  "device.lock-confirmed": spec(object({ command: int })),
  "device.unlock-issued": spec(unlockIssuedData),
  "device.unlock-cancelled": spec(object({ authorization: id, reason: oneOf("withdrawn", "expired"), command: int })),
  "device.out-of-order": spec(empty),
  "seal.stamped": spec(sealStampedData, { receiptId: true, check: checkStamp }),
  /** stepUp: the member completing the unlock gave a fresh passkey assertion; stepUpBy: each of approvedBy who did. */
  /** A stamp's photo erased by the legal representative: its hash stays in the stamp's record, the bytes are gone. */
  "stamp.photo-erased": spec(object({ device: id, photoHash: sm3 })),
  /** A stamp's exact location and salt erased by the legal representative: its commitment stays in the stamp's record. */
  "stamp.location-erased": spec(object({ device: id, n: int })),
  "device.unlocked": spec(object({ approvedBy: optional(list(id)), command: optional(int), stepUp: optional(bool), stepUpBy: optional(list(id)) })),
  "alert.raised": spec(object({ code: str, severity: optional(str) })),
  "alert.acknowledged": spec(object({ alert: id })),
  "alert.resolved": spec(object({ alert: id })),
  "webhook.created": spec(object({ severities: list(str) })),
  "webhook.deleted": spec(empty),
  /**
   * A file tied to a usage after the fact (subject: the usage's receipt id): the scan of the stamped page, the final
   * archived PDF, or a print. The verify page's document check accepts its hash beside the sealed one and says which.
   */
  "document.linked": spec(object({ receipt: str, role: oneOf(...LINKED_DOCUMENT_ROLES), hash: sm3 })),
  /** The company's anomaly-rule thresholds (service/audit/anomalies-settings.ts), all of them, as from this record on. */
  "audit.settings-changed": spec(
    object({
      workStartHour: int, workEndHour: int, utcOffsetMinutes: int, workDays: list(int), burstCount: int, burstWindowMinutes: int, revocationWindowDays: int,
      repeatedDocumentCount: int, dormantGrantDays: int, approverSharePercent: int, approverMinApprovals: int,
    }),
  ),
  /**
   * A monthly audit report issued (service/audit/report.ts): the month and period it covers, its file format, and the
   * SM3 of the file's bytes. The report prints the QR of this record's receipt, so the file itself verifies.
   */
  "audit.report-issued": spec(object({ receipt: str, month: str, from: time, to: time, format: oneOf("json", "xlsx", "pdf"), reportHash: sm3 }), { receiptId: true }),
} as const;

export type RecordType = keyof typeof RECORD_SPECS;
export type DataOf<T extends RecordType> = ShapeOf<(typeof RECORD_SPECS)[T]["data"]>;

export const RECORD_TYPES = Object.keys(RECORD_SPECS) as RecordType[];

export function isRecordType(value: unknown): value is RecordType {
  return typeof value === "string" && Object.hasOwn(RECORD_SPECS, value);
}

export function recordSpec(type: RecordType): RecordSpec<unknown> {
  return RECORD_SPECS[type];
}
