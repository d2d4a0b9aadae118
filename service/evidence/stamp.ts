// A smart-seal device's stamp as its `seal.stamped` record carries it. The device signs a stamp message that commits
// to the location (SM3(salt ‖ JCS location)) instead of carrying it, so the record can hold every signed field and the
// signature without the location, and anyone holding the device's registration receipt checks the stamp offline.
import { canonicalBytes } from "./canonical";
import { concatBytes, fromHex, toHex } from "./bytes";
import { sm3 } from "./hash";
import { deviceMessageBytes, type UnsignedDeviceMessage } from "./device-message";
import { sm2Verify } from "./sm2";
import { fail, pass } from "./verify-steps";
import type { EvidenceRecord } from "./record";
import type { SealFacts, SpecCheck, SpecCheckContext } from "./record-specs";

export interface StampLocation {
  lat: number;
  lng: number;
  accuracyM: number;
}

/** The body of a `stamp` message, exactly the fields the device signs. */
export interface StampBody {
  [key: string]: string | number | null | { method: string; ref: string | null };
  stampNo: number;
  authorization: string | null;
  /** The receipt id the device scanned from the paper's QR code. */
  receipt: string | null;
  operator: { method: string; ref: string | null };
  locationCommitment: string | null;
  photoHash: string | null;
}

/** SM3(salt ‖ JCS location), hex: what the device signs, and what a disclosed location and salt are checked against. */
export function locationCommitment(salt: Uint8Array, location: StampLocation): string {
  return toHex(sm3(concatBytes(salt, canonicalBytes(location))));
}

/** Whether `location` and `salt` (hex) are what `commitment` commits to. */
export function opensCommitment(commitment: string, location: StampLocation, salt: string): boolean {
  return locationCommitment(fromHex(salt), location) === commitment;
}

/**
 * The device's signed stamp message rebuilt from a `seal.stamped` record, with its signature; null for a record that
 * carries none (a manual stamp, or one recorded before stamps carried the device's signature).
 */
export function stampMessageFromRecord(record: EvidenceRecord): { message: UnsignedDeviceMessage; signature: string } | null {
  const d = record.data;
  if (record.type !== "seal.stamped" || d.manual === true || typeof d.signature !== "string") return null;
  if (typeof d.device !== "string" || typeof d.n !== "number" || typeof d.deviceAt !== "string" || typeof d.stampNo !== "number") return null;
  const operator = d.operator as StampBody["operator"];
  const body: StampBody = {
    stampNo: d.stampNo,
    authorization: d.authorization as string | null,
    receipt: d.claimedReceipt as string | null,
    operator,
    locationCommitment: d.locationCommitment as string | null,
    photoHash: d.photoHash as string | null,
  };
  return { message: { v: 1, device: d.device, n: d.n, type: "stamp", at: d.deviceAt, body }, signature: d.signature };
}

/**
 * The `seal.stamped` step: the device's SM2 signature over the stamp message rebuilt from the record, against the
 * public key in the device's own `device.registered` receipt, which must verify in the same deployment, be of the same
 * company and device, and come before the stamp. A manual stamp has no device signature and says so.
 */
export async function checkStamp(record: EvidenceRecord, context: SpecCheckContext): Promise<SpecCheck<SealFacts>> {
  if (record.data.manual === true) {
    return { step: pass("signature", "A manual stamp: recorded by the seal's custodian and reviewer together while the device was out of order, so no device signature.") };
  }
  const stamp = stampMessageFromRecord(record);
  if (stamp === null) return { step: fail("signature", "SIGNATURE_INVALID", "The stamp record does not carry the device's signature (recorded before stamps were signed).") };
  const { deviceReceipt } = context.related;
  if (deviceReceipt === undefined || deviceReceipt === null) return { step: fail("signature", "DEVICE_RECEIPT_MISSING", "The device's registration receipt is needed to check its signature.") };
  const { record: device, deploymentTrusted } = await context.verifyRelated(deviceReceipt);
  if (!deploymentTrusted) return { step: fail("signature", "DEPLOYMENT_NOT_TRUSTED", "The device's registration receipt names another deployment than the trusted one.") };
  const publicKey = device?.data.publicKey;
  const sameDevice = device !== null && device.type === "device.registered" && device.company === record.company && device.subject === stamp.message.device && device.seq < record.seq;
  if (!sameDevice || typeof publicKey !== "string") {
    return { step: fail("signature", "DEVICE_RECEIPT_INVALID", "The device's registration receipt does not verify, or is for another company or device, or comes after the stamp.") };
  }
  if (!verifies(deviceMessageBytes(stamp.message), stamp.signature, publicKey)) {
    return { step: fail("signature", "SIGNATURE_INVALID", "The device's SM2 signature over the stamp does not verify with its registered public key.") };
  }
  return { step: pass("signature", "The device's SM2 signature over the stamp verifies with its registered public key.") };
}

/** A malformed signature or key in an untrusted record is a failed check, not an exception. */
function verifies(message: Uint8Array, signature: string, publicKey: string): boolean {
  try {
    return sm2Verify(message, signature, publicKey);
  } catch {
    return false;
  }
}
