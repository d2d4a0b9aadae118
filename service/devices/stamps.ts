// A `stamp` message becomes a `seal.stamped` record, authorized or not with reasons; an unauthorized one locks the
// device in the same transaction. A counter that skipped numbers raises a stamp-gap alert.
import { draft, recordChange } from "../domain/context";
import { opensCommitment, type StampLocation } from "../evidence/stamp";
import { authorizationCovers, insideGeofence, useReceipt, type CoverageReason } from "./authorizations";
import { lockForMisuse, raiseDeviceAlert } from "./incidents";
import { noteStampMedia } from "./photos";
import { acceptedMessageId, type Authorization, type DeviceTx } from "./schema";
import type { Sm2KeyPair } from "../evidence";
import type { Device } from "../domain/model";
import type { UpMessage } from "./message-schema";

type Stamp = Extract<UpMessage, { type: "stamp" }>;

/** Why a stamp is not authorized, in the order checked; none means authorized. */
export type StampReason =
  | "DEVICE_LOCKED"
  | "DEVICE_OUT_OF_ORDER"
  | "NO_SEAL"
  | "NO_AUTHORIZATION"
  | "AUTHORIZATION_UNKNOWN"
  | "AUTHORIZATION_OTHER_DEVICE"
  | CoverageReason
  | "LOCATION_MISSING"
  | "OUTSIDE_GEOFENCE"
  | "STAMP_NO_NOT_RISING";

export interface StampVerdict {
  reasons: StampReason[];
  /** The receipt id the stamp is recorded under when authorized, else null. */
  receipt: string | null;
  /** Null when the authorization sets no geofence, or the location is not known. */
  inGeofence: boolean | null;
}

/**
 * `device` is the caller's working copy (lastStampNo, status, commandN change here); the caller stores it. `open` holds
 * the device's open authorizations as this transaction has them (a receipt used here is marked in it); an authorization
 * not in it is read.
 */
export async function recordStamp(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device, message: Stamp, open: Map<string, Authorization>): Promise<void> {
  const { stampNo, authorization: named, receipt: scanned, operator, photoHash, locationCommitment } = message.body;
  const authorization = named === null ? null : (open.get(named) ?? (await tx.authorizations.get(named)));
  const location = disclosedLocation(message);
  const verdict = stampReasons(device, message, authorization, location?.location ?? null, now);
  if (device.lastStampNo !== null && stampNo > device.lastStampNo + 1) {
    await raiseDeviceAlert(tx, now, device, "STAMP_GAP", { n: message.n, expected: device.lastStampNo + 1, stampNo });
  }
  device.lastStampNo = Math.max(stampNo, device.lastStampNo ?? stampNo);
  if (verdict.receipt !== null && authorization !== null) open.set(authorization.id, await useReceipt(tx, authorization, verdict.receipt));
  if (location !== null) {
    await tx.stampLocations.insert({ id: acceptedMessageId(device.id, message.n), company: device.company, device: device.id, n: message.n, location: location.location, salt: location.salt, createdAt: now.toISOString() });
  }
  const authorized = verdict.reasons.length === 0;
  const record = await recordChange(
    tx,
    draft("seal.stamped", now, device.company, device.seal ?? device.id, device.id, {
      device: device.id, n: message.n, stampNo, authorized, reasons: verdict.reasons, authorization: named, receipt: verdict.receipt, claimedReceipt: scanned,
      operator, photoHash, inGeofence: verdict.inGeofence, locationCommitment, deviceAt: message.at, signature: message.sig,
    }),
  );
  if (photoHash !== null || location !== null) await noteStampMedia(tx, now, device, message.n, record, photoHash);
  if (!authorized) await lockForMisuse(tx, commandKey, now, device, "unauthorized-stamp", message.n, { stampNo });
}

/**
 * The one place that decides whether a device's stamp is authorized: the device is active and holds a seal, and an
 * open authorization of this very device and seal covers the stamp (authorizationCovers: window by the device's
 * clock, count, an unused reserved receipt) inside its geofence when it sets one, and the counter rose.
 */
export function stampReasons(device: Device, message: Stamp, authorization: Authorization | null, location: StampLocation | null, now: Date): StampVerdict {
  const reasons: StampReason[] = [];
  if (device.status === "locked") reasons.push("DEVICE_LOCKED");
  if (device.outOfOrderSince) reasons.push("DEVICE_OUT_OF_ORDER");
  if (device.seal === null) reasons.push("NO_SEAL");
  let receipt: string | null = null;
  let inGeofence: boolean | null = null;
  if (message.body.authorization === null) reasons.push("NO_AUTHORIZATION");
  else if (authorization === null || authorization.company !== device.company) reasons.push("AUTHORIZATION_UNKNOWN");
  else if (authorization.device !== device.id || authorization.seal !== device.seal) reasons.push("AUTHORIZATION_OTHER_DEVICE");
  else {
    const coverage = authorizationCovers(authorization, new Date(message.at), message.body.receipt, now);
    reasons.push(...coverage.reasons);
    receipt = coverage.receipt;
    if (authorization.geofence !== null) {
      inGeofence = location === null ? null : insideGeofence(authorization.geofence, location);
      if (inGeofence === null) reasons.push("LOCATION_MISSING");
      else if (!inGeofence) reasons.push("OUTSIDE_GEOFENCE");
    }
  }
  if (device.lastStampNo !== null && message.body.stampNo <= device.lastStampNo) reasons.push("STAMP_NO_NOT_RISING");
  return { reasons, receipt: reasons.length === 0 ? receipt : null, inGeofence };
}

/**
 * The location the device disclosed beside its signed commitment, with its salt, when they open that commitment;
 * otherwise (none sent, or altered on the way) the location is unknown, and kept nowhere.
 */
function disclosedLocation(message: Stamp): { location: StampLocation; salt: string } | null {
  const { location: disclosed } = message;
  const commitment = message.body.locationCommitment;
  if (disclosed === undefined || commitment === null) return null;
  const { salt, ...location } = disclosed;
  return opensCommitment(commitment, location, salt) ? { location, salt } : null;
}
