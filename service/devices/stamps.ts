// A `stamp` message becomes a `seal.stamped` record, authorized or not with reasons; an unauthorized one locks the
// device in the same transaction. A counter that skipped numbers raises a stamp-gap alert.
import { randomBytes } from "node:crypto";
import { draft, recordChange } from "../domain/context";
import { canonicalBytes, concatBytes, sm3, toHex, type Sm2KeyPair } from "../evidence";
import { lockForMisuse, raiseDeviceAlert } from "./incidents";
import { acceptedMessageId, type DeviceTx } from "./schema";
import type { Device } from "../domain/model";
import type { UpMessage } from "./message-schema";

type Stamp = Extract<UpMessage, { type: "stamp" }>;

/** Why a stamp is not authorized, in the order checked; none means authorized. */
export type StampReason = "DEVICE_LOCKED" | "NO_SEAL" | "NO_AUTHORIZATION" | "AUTHORIZATION_UNKNOWN" | "STAMP_NO_NOT_RISING";

/** `device` is the caller's working copy (lastStampNo, status, commandN change here); the caller stores it. */
export async function recordStamp(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device, message: Stamp): Promise<void> {
  const { stampNo } = message.body;
  const reasons = stampReasons(device, message);
  if (device.lastStampNo !== null && stampNo > device.lastStampNo + 1) {
    await raiseDeviceAlert(tx, now, device, "STAMP_GAP", { n: message.n, expected: device.lastStampNo + 1, stampNo });
  }
  device.lastStampNo = Math.max(stampNo, device.lastStampNo ?? stampNo);
  const authorized = reasons.length === 0;
  const { authorization, receipt, operator, photoHash, location } = message.body;
  await recordChange(
    tx,
    draft("seal.stamped", now, device.company, device.seal ?? device.id, device.id, {
      device: device.id, n: message.n, stampNo, authorized, reasons, authorization,
      receipt: authorized ? receipt : null, claimedReceipt: authorized ? null : receipt,
      operator, photoHash, inGeofence: null, locationCommitment: location === null ? null : await commitLocation(tx, now, device, message.n, location), deviceAt: message.at,
    }),
  );
  if (!authorized) await lockForMisuse(tx, commandKey, now, device, "unauthorized-stamp", message.n, { stampNo });
}

/**
 * Authorizations are issued once unlock after dual custody exists; until then no stamp is covered by one, and a stamp
 * naming one names an authorization the service never issued.
 */
function stampReasons(device: Device, message: Stamp): StampReason[] {
  const reasons: StampReason[] = [];
  if (device.status === "locked") reasons.push("DEVICE_LOCKED");
  if (device.seal === null) reasons.push("NO_SEAL");
  reasons.push(message.body.authorization === null ? "NO_AUTHORIZATION" : "AUTHORIZATION_UNKNOWN");
  if (device.lastStampNo !== null && message.body.stampNo <= device.lastStampNo) reasons.push("STAMP_NO_NOT_RISING");
  return reasons;
}

/** SM3(salt ‖ JCS location), hex; the location and salt are kept apart from the log, where they can be erased. */
async function commitLocation(tx: DeviceTx, now: Date, device: Device, n: number, location: { lat: number; lng: number; accuracyM: number }): Promise<string> {
  const salt = randomBytes(16);
  await tx.stampLocations.insert({ id: acceptedMessageId(device.id, n), company: device.company, device: device.id, n, location, salt: salt.toString("hex"), createdAt: now.toISOString() });
  return toHex(sm3(concatBytes(salt, canonicalBytes(location))));
}
