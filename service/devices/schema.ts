// The document kinds of the device subsystem: each accepted message's fingerprint (what tells a repeat from a replay),
// the signed commands waiting for a device's acknowledgement, the stamps' exact locations, the authorizations issued
// after dual custody, and the first halves of dual-control acts. Merged into the service's schema (service/schema.ts).
import { kind, type Schema } from "../store/schema";
import type { Repositories as RepositoriesOf, Store as StoreOf, Tx as TxOf } from "../store/port";
import type { DomainSchema } from "../domain/schema";
import type { DeviceMessage } from "../evidence/device-message";
import { PRESENCE_SCHEMA } from "./presence-schema";
import { MEDIA_SCHEMA } from "./media-schema";
import type { Geofence } from "../domain/model";

/** A message accepted from a device, by `n`: id `<device>:<n>`, so a second message with that n meets this one. */
export interface AcceptedMessage {
  id: string;
  company: string;
  device: string;
  n: number;
  type: string;
  /** SM3 of the signed bytes (deviceMessageHash). */
  hash: string;
  receivedAt: string;
}

/** A command signed for a device, kept until the device acknowledges it: what the HTTPS answer hands out. */
export interface DeviceCommand {
  id: string;
  company: string;
  device: string;
  n: number;
  type: CommandType;
  /** The signed command exactly as every delivery sends it. */
  message: DeviceMessage;
  acked: boolean;
  createdAt: string;
}

/**
 * A command the device has not acknowledged yet, under the command's id, kept until it is: a device's pending commands,
 * which every answer to it carries, are read from these, not from every command it was ever sent.
 */
export interface UnackedCommand {
  id: string;
  company: string;
  device: string;
  n: number;
}

/**
 * Where a stamp was made, and the salt of its record's locationCommitment (SM3(salt ‖ JCS location)): mutable and
 * erasable, kept out of the log; disclosing both proves the location against the anchored record.
 */
export interface StampLocation {
  id: string;
  company: string;
  device: string;
  n: number;
  location: { lat: number; lng: number; accuracyM: number };
  salt: string;
  createdAt: string;
}

/**
 * What the device may stamp once a physical-seal request is approved and custody confirmed twice: `copies` stamps
 * between validFrom and validUntil, inside the geofence when set, each under one of `receipts` (reserved for the
 * copies' QR codes), each receipt used once.
 */
export interface Authorization {
  id: string;
  company: string;
  device: string;
  seal: string;
  request: string;
  /** The member who asked for the use: the one who stamps. */
  operator: string;
  copies: number;
  receipts: string[];
  /** Receipts already stamped under, in stamping order. */
  usedReceipts: string[];
  validFrom: string;
  validUntil: string;
  geofence: Geofence | null;
  status: AuthorizationStatus;
  /** When it was withdrawn or found expired; stamps the device made before then are still covered. */
  closedAt: string | null;
  /** The record id of its device.unlock-issued. */
  issuedRecord: string;
  createdAt: string;
}

/**
 * When an open authorization's window ends, kept while it is open so the expiry job finds the due ones without reading
 * every authorization ever issued. All in one partition (not the company's): the job reads every company's at once.
 */
export const DEADLINE_PARTITION = "authorization-deadlines";

export interface AuthorizationDeadline {
  /** The authorization's id. */
  id: string;
  company: typeof DEADLINE_PARTITION;
  device: string;
  validUntil: string;
}

export const AUTHORIZATION_STATUSES = ["open", "withdrawn", "expired"] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

/**
 * The first half of a dual-control act on a device, waiting for its second from another member: lifting a lock
 * (unlock) or recording a stamp made without the device (manual-stamp). Never evidence by itself: the completed act is.
 */
export interface DualControlHalf {
  id: string;
  company: string;
  device: string;
  act: "unlock" | "manual-stamp";
  /** Who gave it, and as which side (admin or reviewer for an unlock; custodian or reviewer for a manual stamp). */
  member: string;
  side: DualControlSide;
  /** A manual stamp's authorization and, when one was named, its receipt. */
  authorization: string | null;
  receipt: string | null;
  /** The member gave it with a fresh passkey assertion (a console step-up); absent otherwise. */
  stepUp?: boolean;
  expiresAt: string;
  createdAt: string;
}

export type DualControlSide = "admin" | "reviewer" | "custodian";

export const COMMAND_TYPES = ["unlock", "lock", "unlock-cancel", "config"] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const DEVICE_SCHEMA = {
  deviceMessages: kind<AcceptedMessage>({ label: "device message" }),
  deviceCommands: kind<DeviceCommand>({ label: "device command", indexed: ["device"] }),
  unackedCommands: kind<UnackedCommand>({ label: "unacknowledged device command", indexed: ["device"] }),
  stampLocations: kind<StampLocation>({ label: "stamp location" }),
  ...PRESENCE_SCHEMA,
  ...MEDIA_SCHEMA,
  // One authorization per request, however many confirmations race to issue it; found by any receipt id it reserved.
  authorizations: kind<Authorization>({ label: "authorization", uniqueKeys: (a) => [`request:${a.request}`, ...a.receipts.map((r) => `receipt:${r}`)], indexed: ["device"] }),
  // Found by device too: a device's open authorizations are read from these, not from every authorization it ever had.
  authorizationDeadlines: kind<AuthorizationDeadline>({ label: "authorization deadline", indexed: ["device"] }),
  dualControlHalves: kind<DualControlHalf>({ label: "dual-control half", indexed: ["device"], expires: { field: "expiresAt", afterMs: 0 } }),
} satisfies Schema;

export type DeviceSchema = DomainSchema & typeof DEVICE_SCHEMA;
export type DeviceStore = StoreOf<DeviceSchema>;
export type DeviceTx = TxOf<DeviceSchema>;
export type DeviceRepositories = RepositoriesOf<DeviceSchema>;

export function acceptedMessageId(device: string, n: number): string {
  return `${device}:${n}`;
}
