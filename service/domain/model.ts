// The domain's stored shapes. Personal data (names, phone, ID numbers) lives only here, never in records.

export const ROLES = ["legal_rep", "seal_admin", "dept_head", "custodian", "reviewer", "employee", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const SEAL_KINDS = ["electronic", "physical"] as const;
export type SealKind = (typeof SEAL_KINDS)[number];

/** 公章, 合同专用章, 财务专用章, 发票专用章, 法定代表人名章, other. */
export const SEAL_TYPES = ["official", "contract", "finance", "invoice", "legal_rep", "other"] as const;
export type SealType = (typeof SEAL_TYPES)[number];

export const SEAL_STATUSES = ["active", "suspended", "revoked", "destroyed"] as const;
export type SealStatus = (typeof SEAL_STATUSES)[number];

export const APPROVAL_LEVELS = ["none", "dept_head", "legal_rep"] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

/** A smart-seal device: active, locked (after misuse or on command; it refuses to stamp) or retired for good. */
export const DEVICE_STATUSES = ["active", "locked", "retired"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const REQUEST_STATUSES = ["pending", "approved", "rejected", "used"] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

interface Owned {
  id: string;
  company: string;
}

export interface Company extends Owned {
  name: string;
  creditCode: string;
  legalRepName: string;
  legalRepIdNumber: string;
  registryCheck: { checkedAt: string; method: string; ok: boolean; note: string };
  createdAt: string;
}

export interface Member extends Owned {
  name: string;
  roles: Role[];
  department: string | null;
  active: boolean;
  createdAt: string;
}

export interface ApiKey extends Owned {
  member: string;
  /** SHA-256 of the secret; the secret itself is shown once and never stored. */
  hash: string;
  prefix: string;
  revoked: boolean;
  /**
   * Who saw the secret when it was issued: the member, a legal_rep, the operator, or an admin (a seal_admin adding an
   * employee). Absent on keys issued before it was recorded, which count as an admin's.
   */
  custody?: KeyCustody;
  createdAt: string;
}

export type KeyCustody = "member" | "legal_rep" | "operator" | "admin";

export interface Seal extends Owned {
  kind: SealKind;
  type: SealType;
  name: string;
  status: SealStatus;
  imageHash: string | null;
  publicKey: string | null;
  device: string | null;
  custodian: string | null;
  reviewer: string | null;
  department: string | null;
  replaces: string | null;
  replacedBy: string | null;
  /** A physical seal's usual place of use: its authorizations' geofence unless a request sets its own. Absent on older seals. */
  geofence?: Geofence | null;
  /**
   * Record id of the seal.registered record, whose receipt carries the public key. Seals registered before records
   * had ids carry `registeredSeq` instead (that record's seq) and no id: read them through registrationOf().
   */
  registrationRecord?: string;
  registeredSeq?: number;
  createdAt: string;
}

/**
 * A smart-seal device (智能印章): its SM2 key pair is made inside it and signs every message it sends; the service
 * keeps the public key, the hash of the device's credential, and what it last heard from it.
 */
export interface Device extends Owned {
  serial: string;
  model: string;
  publicKey: string;
  status: DeviceStatus;
  /** SHA-256 of the device credential, which is shown once at enrolment, as an API key's secret is. */
  credentialHash: string;
  credentialPrefix: string;
  /** The physical seal registered onto the device, or null while it is unbound. */
  seal: string | null;
  /** The `n` of the last message accepted from the device; -1 before the first. */
  lastN: number;
  /** The device's mechanical stamp counter as last reported; null before its first stamp. */
  lastStampNo: number | null;
  lastSeenAt: string | null;
  /** The `n` of the last command signed for the device; -1 before the first. */
  commandN: number;
  /**
   * When its custodian reported it out of order: it is treated as locked, and stamps under an open authorization are
   * recorded by the custodian and the reviewer together. Absent or null while it works.
   */
  outOfOrderSince?: string | null;
  createdAt: string;
}

/** A circle on the earth: stamps are inside when the device's fix is no farther than `radiusM` from the centre. */
export interface Geofence {
  lat: number;
  lng: number;
  radiusM: number;
}

export interface Scenario extends Owned {
  code: string;
  name: string;
  sealKinds: SealKind[];
  sealTypes: SealType[];
  approval: ApprovalLevel;
  dualControl: boolean;
  /** Whether the verify page may show the photos of this scenario's stamps. Absent on scenarios defined before the flag: off. */
  publicPhotos?: boolean;
  createdAt: string;
}

export interface Grant extends Owned {
  member: string;
  seal: string;
  scenarios: string[];
  validFrom: string;
  validTo: string;
  useLimit: number | null;
  uses: number;
  givenBy: string;
  /**
   * The giver's own grant this one was delegated under (withdrawing it withdraws this one); null when a legal
   * representative gave it. Absent on grants stored before parents were recorded.
   */
  parent?: string | null;
  withdrawn: boolean;
  createdAt: string;
}

export interface SealRequest extends Owned {
  member: string;
  seal: string;
  scenario: string;
  documentHash: string;
  title: string;
  reason: string;
  copies: number;
  status: RequestStatus;
  decidedBy: string | null;
  custodyConfirmedBy: string[];
  /** For a physical seal: how long its authorization stays open, when the requester asked; else the default. */
  windowMinutes?: number;
  /** For a physical seal: where it may be stamped, when the requester set it; else the seal's geofence, if any. */
  geofence?: Geofence | null;
  /** The device authorization issued once custody was confirmed twice. */
  authorization?: string;
  createdAt: string;
}

/**
 * A receipt id handed out before the document is stamped; it writes no record until used. It is used once the
 * log holds a `seal.used` record with its id (records are unique by receipt id), so it is never updated.
 */
export interface Reservation extends Owned {
  member: string;
  seal: string;
  expiresAt: string;
  createdAt: string;
}
