// A stamp's exact location disclosed with its salt (sealproof-location-disclosure/1): self-contained, it carries the
// stamp's receipt (and the device's and company's), so anyone checks it against the anchored locationCommitment.
import { opensCommitment, type StampLocation } from "./stamp";
import type { EvidenceRecord } from "./record";
import type { ReceiptBundle } from "./receipt";

export const LOCATION_DISCLOSURE_FORMAT = "sealproof-location-disclosure/1";

export interface LocationDisclosure {
  format: typeof LOCATION_DISCLOSURE_FORMAT;
  /** The stamp: its device and the device's message number. */
  device: string;
  n: number;
  location: StampLocation;
  /** Hex; SM3(salt ‖ JCS location) is the stamp record's locationCommitment. */
  salt: string;
  disclosedAt: string;
  /** The stamp's `seal.stamped` receipt. */
  receipt: ReceiptBundle;
  /** The device's `device.registered` receipt, for the stamp's signature check; null while not anchored. */
  deviceReceipt: ReceiptBundle | null;
  /** The company's `company.registered` receipt; null while not anchored. */
  companyReceipt: ReceiptBundle | null;
}

/** Why a disclosure does not prove its location, besides its receipt failing to verify. */
export type DisclosureCode = "DISCLOSURE_MALFORMED" | "NOT_A_STAMP" | "STAMP_MISMATCH" | "LOCATION_MISMATCH";

export type DisclosureCheck = { ok: true; message: string } | { ok: false; code: DisclosureCode; message: string };

const SALT_RE = /^(?:[0-9a-f]{2}){8,64}$/;

/** The first thing wrong with the disclosure's form, or null when it has the form. */
export function disclosureShapeProblem(input: unknown): string | null {
  if (typeof input !== "object" || input === null) return "the disclosure is not a JSON object";
  const d = input as Record<string, unknown>;
  if (d.format !== LOCATION_DISCLOSURE_FORMAT) return `format is not ${LOCATION_DISCLOSURE_FORMAT}`;
  if (typeof d.device !== "string" || !Number.isSafeInteger(d.n)) return "device and n must name the stamp";
  if (typeof d.salt !== "string" || !SALT_RE.test(d.salt)) return "salt must be 8 to 64 bytes of lowercase hex";
  const location = d.location as Record<string, unknown> | null;
  const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (typeof location !== "object" || location === null || Object.keys(location).length !== 3 || !finite(location.lat) || !finite(location.lng) || !finite(location.accuracyM)) {
    return "location must be exactly {lat, lng, accuracyM}, numbers";
  }
  if (typeof d.receipt !== "object" || d.receipt === null) return "the stamp's receipt is missing";
  return null;
}

/**
 * Whether the disclosed location and salt open the commitment of `record`, the stamp's record as its receipt (verified
 * separately against the chain) holds it, and whether that record is the stamp the disclosure names.
 */
export function checkLocationDisclosure(input: unknown, record: EvidenceRecord | null): DisclosureCheck {
  const problem = disclosureShapeProblem(input);
  if (problem !== null) return { ok: false, code: "DISCLOSURE_MALFORMED", message: problem };
  const d = input as LocationDisclosure;
  if (record === null || record.type !== "seal.stamped") return { ok: false, code: "NOT_A_STAMP", message: "The disclosure's receipt is not a stamp's (seal.stamped) receipt." };
  if (record.data.device !== d.device || record.data.n !== d.n) {
    return { ok: false, code: "STAMP_MISMATCH", message: `The receipt is of another stamp than ${d.device} #${d.n}.` };
  }
  const commitment = record.data.locationCommitment;
  if (typeof commitment !== "string") return { ok: false, code: "LOCATION_MISMATCH", message: "The stamp committed to no location." };
  const { lat, lng, accuracyM } = d.location;
  if (!opensCommitment(commitment, { lat, lng, accuracyM }, d.salt)) {
    return { ok: false, code: "LOCATION_MISMATCH", message: "SM3(salt ‖ location) is not the stamp's anchored locationCommitment: this is not where the stamp was made." };
  }
  return { ok: true, message: `The stamp was made at ${lat}, ${lng} (±${accuracyM} m): SM3(salt ‖ location) is the anchored locationCommitment.` };
}
