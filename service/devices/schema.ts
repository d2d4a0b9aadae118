// The document kinds of the device subsystem: each accepted message's fingerprint (what tells a repeat from a replay),
// the signed commands waiting for a device's acknowledgement, and the stamps' exact locations. Merged into the service's schema (service/schema.ts).
import { kind, type Schema } from "../store/schema";
import type { Repositories as RepositoriesOf, Store as StoreOf, Tx as TxOf } from "../store/port";
import type { DomainSchema } from "../domain/schema";
import type { DeviceMessage } from "../evidence/device-message";
import { PRESENCE_SCHEMA } from "./presence-schema";

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

export const COMMAND_TYPES = ["unlock", "lock", "unlock-cancel", "config"] as const;
export type CommandType = (typeof COMMAND_TYPES)[number];

export const DEVICE_SCHEMA = {
  deviceMessages: kind<AcceptedMessage>({ label: "device message" }),
  deviceCommands: kind<DeviceCommand>({ label: "device command", indexed: ["device"] }),
  stampLocations: kind<StampLocation>({ label: "stamp location" }),
  ...PRESENCE_SCHEMA,
} satisfies Schema;

export type DeviceSchema = DomainSchema & typeof DEVICE_SCHEMA;
export type DeviceStore = StoreOf<DeviceSchema>;
export type DeviceTx = TxOf<DeviceSchema>;
export type DeviceRepositories = RepositoriesOf<DeviceSchema>;

export function acceptedMessageId(device: string, n: number): string {
  return `${device}:${n}`;
}
