// What a device may send: the signed envelope and one body schema per message type. Every transport hands the parsed
// JSON here, once, before anything else looks at it; a message that does not parse is refused and writes nothing.
import { z } from "zod";
import type { DeviceMessage } from "../evidence/device-message";

export const UP_TYPES = ["hello", "status", "stamp", "tamper", "ack"] as const;
export type UpType = (typeof UP_TYPES)[number];

const base58 = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[1-9A-HJ-NP-Za-km-z]{8,24}$`));
const counter = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const sm3Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** How the operator was identified at the device; `ref` is an opaque reference (a card or enrolment number), never a name. */
const operator = z.strictObject({ method: z.enum(["fingerprint", "face", "card", "pin", "none"]), ref: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).nullable() });
const location = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), accuracyM: z.number().min(0).max(1_000_000) });

export const BODIES = {
  hello: z.strictObject({ firmware: z.string().regex(/^[\x21-\x7e]{1,32}$/) }),
  /** A heartbeat. */
  status: z.strictObject({ battery: z.number().int().min(0).max(100), locked: z.boolean() }),
  stamp: z.strictObject({
    /** The device's mechanical stamp counter. */
    stampNo: counter,
    authorization: base58("au").nullable(),
    /** The receipt id the device scanned from the paper's QR code. */
    receipt: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{16,24}$/).nullable(),
    operator,
    /** SM3(salt ‖ JCS location), made by the device: it signs the commitment, never the location (evidence/stamp.ts). */
    locationCommitment: sm3Hex.nullable(),
    photoHash: sm3Hex.nullable(),
  }),
  tamper: z.strictObject({ kind: z.enum(["case-opened", "forced-stamp", "seal-removed", "sensor-fault"]) }),
  /** The device acknowledges the command it was sent with this `n`. */
  ack: z.strictObject({ command: counter, result: z.enum(["ok", "refused"]) }),
} as const satisfies Record<UpType, z.ZodType>;

const envelope = z.strictObject({
  v: z.literal(1),
  device: base58("d"),
  n: counter,
  type: z.enum(UP_TYPES),
  at: z.iso.datetime({ offset: false }),
  body: z.unknown(),
  sig: z.string().regex(/^[0-9a-f]{128}$/),
  /**
   * A stamp's location and the salt of its commitment, beside the signed body and not signed: the service checks them
   * against the signed commitment, uses the location for the geofence and keeps both outside the log.
   */
  location: location.extend({ salt: z.string().regex(/^([0-9a-f]{2}){16,32}$/) }).optional(),
});

/** A stamp's disclosed location and salt, as the envelope carries them. */
export type LocationDisclosure = z.output<typeof envelope>["location"];

export type UpMessage = { [T in UpType]: Omit<DeviceMessage, "type" | "body"> & { type: T; body: z.output<(typeof BODIES)[T]>; location?: LocationDisclosure } }[UpType];

/** The message as a device sent it, or null when it is not one. */
export function parseUpMessage(raw: unknown): UpMessage | null {
  const outer = envelope.safeParse(raw);
  if (!outer.success) return null;
  const body = BODIES[outer.data.type].safeParse(outer.data.body);
  if (!body.success) return null;
  return { ...outer.data, body: body.data } as UpMessage;
}
