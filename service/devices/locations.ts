// A stamp's exact location, kept with the salt of its record's locationCommitment: disclosed to an auditor or the
// legal representative as a file anyone can check against the anchored commitment, and erased by the legal
// representative (the commitment stays in the stamp's record; the erasure is a record of its own).
import { draft, recordChange, type Actor } from "../domain/context";
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import { receiptFor } from "../anchoring/receipts";
import { LOCATION_DISCLOSURE_FORMAT, type LocationDisclosure, type ReceiptBundle } from "../evidence";
import { acceptedMessageId, type DeviceStore } from "./schema";
import type { DeviceContext } from "./context";

/** The location of stamp `n` of the device with its salt and receipts: refused while the stamp's record is not anchored. */
export async function discloseLocation(ctx: DeviceContext, actor: Actor, deviceId: string, n: number): Promise<LocationDisclosure> {
  requirePower(actor, "stamp.location-disclose");
  await requireCompanyDevice(ctx.store, actor, deviceId);
  const id = acceptedMessageId(deviceId, n);
  const [kept, media] = await Promise.all([ctx.store.stampLocations.get(id), ctx.store.stampMedia.get(id)]);
  if (kept === null || media === null || kept.company !== actor.company) {
    if (media?.locationErasedAt) refuse("LOCATION_ERASED", "the location of this stamp was erased");
    refuse("LOCATION_NOT_KEPT", "no location is kept for this stamp");
  }
  const stamp = await ctx.store.records.byId(media.record);
  const lookup = stamp === null ? null : await receiptFor(ctx.store, stamp.record);
  if (lookup?.status !== "anchored") refuse("STAMP_NOT_ANCHORED", "the stamp's record is not anchored yet; a disclosure carries its receipt, so try again shortly");
  return {
    format: LOCATION_DISCLOSURE_FORMAT,
    device: deviceId,
    n,
    location: kept.location,
    salt: kept.salt,
    disclosedAt: ctx.now().toISOString(),
    receipt: lookup.receipt,
    deviceReceipt: await registrationReceipt(ctx.store, actor.company, "device.registered", deviceId),
    companyReceipt: await registrationReceipt(ctx.store, actor.company, "company.registered", actor.company),
  };
}

/** Erases the location and salt of stamp `n` for good, recording `stamp.location-erased`. */
export async function eraseLocation(ctx: DeviceContext, actor: Actor, deviceId: string, n: number): Promise<{ device: string; n: number; erasedAt: string; record: string }> {
  requirePower(actor, "stamp.location-erase");
  const device = await requireCompanyDevice(ctx.store, actor, deviceId);
  const id = acceptedMessageId(deviceId, n);
  return ctx.store.transaction(async (tx) => {
    const [kept, media] = await Promise.all([tx.stampLocations.get(id), tx.stampMedia.get(id)]);
    if (kept === null || kept.company !== actor.company) {
      if (media?.locationErasedAt) refuse("LOCATION_ERASED", "the location of this stamp is erased already");
      refuse("LOCATION_NOT_KEPT", "no location is kept for this stamp");
    }
    const now = ctx.now();
    await tx.stampLocations.delete(id);
    if (media !== null) await tx.stampMedia.update({ ...media, locationErasedAt: now.toISOString() });
    const stamp = media === null ? null : await tx.records.byId(media.record);
    const record = await recordChange(tx, draft("stamp.location-erased", now, actor.company, stamp?.record.subject ?? device.seal ?? deviceId, actor.member.id, { device: deviceId, n }));
    return { device: deviceId, n, erasedAt: now.toISOString(), record };
  });
}

async function requireCompanyDevice(store: DeviceStore, actor: Actor, deviceId: string) {
  const device = await store.devices.get(deviceId);
  if (device === null || device.company !== actor.company) refuse("NOT_FOUND", `no device ${deviceId}`);
  return device;
}

/** The anchored receipt of a registration record (`company.registered`, `device.registered`), or null. */
async function registrationReceipt(store: DeviceStore, company: string, type: string, subject: string): Promise<ReceiptBundle | null> {
  const { items } = await store.records.page({ company, type, subject }, { limit: 1 });
  if (items.length === 0) return null;
  const lookup = await receiptFor(store, items[0].record);
  return lookup.status === "anchored" ? lookup.receipt : null;
}
