// Photos of stamped pages: the device uploads each with its credential, members who may see the seal's stamps read
// it, the legal representative erases it (the hash stays in the stamp's record; the erasure is a record of its own),
// and a scenario that publishes its photos lets anyone holding the stamp's receipt id see it.
import { draft, recordChange, type Actor } from "../domain/context";
import { refuse } from "../domain/errors";
import { may, requirePower } from "../domain/policy";
import { publishesPhotos } from "../domain/scenarios";
import { sm3, toHex } from "../evidence";
import type { BlobStore } from "../blobs/port";
import type { Device } from "../domain/model";
import type { DeviceContext } from "./context";
import type { DeviceStore, DeviceTx } from "./schema";
import type { StampMedia } from "./media-schema";

export const PHOTO_TYPES = ["image/jpeg", "image/png"] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

/** The default largest photo a device may upload (PHOTO_MAX_BYTES): a phone-camera JPEG of an A4 page is 1–5 MB. */
export const DEFAULT_PHOTO_MAX_BYTES = 8 * 1024 * 1024;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** JPEG or PNG by the bytes' own signature (never by what the sender says they are), else null. */
export function photoTypeOf(bytes: Uint8Array): PhotoType | null {
  const starts = (signature: number[]) => bytes.length > signature.length && signature.every((byte, i) => bytes[i] === byte);
  if (starts(JPEG_SIGNATURE)) return "image/jpeg";
  if (starts(PNG_SIGNATURE)) return "image/png";
  return null;
}

/** Where a device's photo is kept in the blob store: by device and hash, as the device names it. */
export function photoBlobKey(device: string, photoHash: string): string {
  return `photos/${device}/${photoHash}`;
}

/** Called in the transaction that records a stamp carrying a photo hash or a location: what the uploads and disclosures find. */
export async function noteStampMedia(tx: DeviceTx, now: Date, device: Device, n: number, record: string, photoHash: string | null): Promise<void> {
  await tx.stampMedia.insert({
    id: `${device.id}:${n}`, company: device.company, device: device.id, n, record, photoHash, photo: "awaited", photoErasedAt: null, locationErasedAt: null, createdAt: now.toISOString(),
  });
}

export interface StoredPhoto {
  device: string;
  photoHash: string;
  type: PhotoType;
  bytes: number;
  /** The `n` of every stamp of the device that carries this photo hash. */
  stamps: number[];
}

/**
 * The calling device's photo of a stamp it reported: JPEG or PNG, hashing to `photoHash`, which a stamp of this very
 * device carries. Stored once; a repeat of the same upload answers the same. Every refusal leaves the blob store and
 * the documents as they were (a photo erased meanwhile has its bytes removed again).
 */
export async function uploadPhoto(ctx: DeviceContext, blobs: BlobStore, device: Device, deviceId: string, photoHash: string, bytes: Uint8Array): Promise<StoredPhoto> {
  if (deviceId !== device.id) refuse("FORBIDDEN", "a device uploads the photos of its own stamps only");
  const type = photoTypeOf(bytes);
  if (type === null) refuse("PHOTO_NOT_IMAGE", "the body is neither a JPEG nor a PNG image (checked by its leading bytes)");
  const actual = toHex(sm3(bytes));
  if (actual !== photoHash) refuse("PHOTO_HASH_MISMATCH", "the body's SM3 is not the hash in the path", { sm3: actual });
  const found = await mediaOf(ctx.store, device.company, device.id, photoHash);
  if (found.length === 0) refuse("STAMP_UNKNOWN", "no stamp of this device carries this photo hash");
  if (found.some(erased)) refuse("PHOTO_ERASED", "this photo was erased and is not taken again");
  const key = photoBlobKey(device.id, photoHash);
  await blobs.put(key, bytes);
  const kept = await ctx.store.transaction(async (tx) => {
    const media = await mediaOf(tx, device.company, device.id, photoHash);
    if (media.some(erased)) return null;
    for (const m of media) if (m.photo !== "stored") await tx.stampMedia.update({ ...m, photo: "stored" });
    return media;
  });
  if (kept === null) {
    // An erasure committed between the checks and this transaction: its removal of the bytes may have come first.
    await blobs.delete(key);
    refuse("PHOTO_ERASED", "this photo was erased and is not taken again");
  }
  return { device: device.id, photoHash, type, bytes: bytes.length, stamps: kept.map((m) => m.n).sort((a, b) => a - b) };
}

/** A stamp photo for a member who may see the seal's stamps: the company's records readers, and the seal's custodian and reviewer. */
export async function memberPhoto(ctx: DeviceContext, blobs: BlobStore, actor: Actor, deviceId: string, photoHash: string): Promise<{ type: PhotoType; bytes: Uint8Array }> {
  const readsAll = may(actor, "stamp.photo-read");
  if (!readsAll) requirePower(actor, "stamp.photo-read-in-custody");
  const media = await companyMedia(ctx, actor, deviceId, photoHash);
  if (!readsAll) {
    const seals = await stampSeals(ctx, media);
    const holds = seals.every((s) => s !== null && (s.custodian === actor.member.id || s.reviewer === actor.member.id));
    if (!holds) requirePower(actor, "stamp.photo-read");
  }
  return storedPhoto(blobs, deviceId, photoHash, media);
}

/**
 * The photo of the stamp recorded under `receiptId`, for anyone: only when the stamp's authorization is for a
 * request whose scenario publishes its photos, and the photo is stored and not erased.
 */
export async function publicPhoto(ctx: DeviceContext, blobs: BlobStore, receiptId: string): Promise<{ type: PhotoType; bytes: Uint8Array }> {
  const logged = await ctx.store.records.getByReceipt(receiptId);
  if (logged === null || logged.record.type !== "seal.stamped") refuse("NOT_FOUND", "no stamp with this receipt id");
  const { device, n, authorization, photoHash } = logged.record.data;
  if (typeof photoHash !== "string" || typeof device !== "string" || typeof n !== "number") refuse("PHOTO_NOT_PUBLIC", "this stamp has no photo");
  if (!(await stampPublishesPhoto(ctx.store, logged.record.company, typeof authorization === "string" ? authorization : null))) {
    refuse("PHOTO_NOT_PUBLIC", "the scenario of this stamp does not publish its photos");
  }
  const media = await ctx.store.stampMedia.get(`${device}:${n}`);
  if (media === null || media.company !== logged.record.company || media.photoHash !== photoHash) refuse("PHOTO_NOT_UPLOADED", "the device has not uploaded this photo");
  return storedPhoto(blobs, device, photoHash, [media]);
}

/** Erases a stamp photo for good: the bytes go, the stamp's record keeps the hash, and `stamp.photo-erased` says when and by whom. */
export async function erasePhoto(ctx: DeviceContext, blobs: BlobStore, actor: Actor, deviceId: string, photoHash: string): Promise<{ device: string; photoHash: string; erasedAt: string; record: string }> {
  requirePower(actor, "stamp.photo-erase");
  const key = photoBlobKey(deviceId, photoHash);
  const done = await ctx.store.transaction(async (tx) => {
    const media = await companyMedia(ctx, actor, deviceId, photoHash, tx);
    if (media.some(erased)) return null;
    const now = ctx.now();
    for (const m of media) await tx.stampMedia.update({ ...m, photo: "erased", photoErasedAt: now.toISOString() });
    const stamp = await tx.records.byId(media[0].record);
    const record = await recordChange(tx, draft("stamp.photo-erased", now, actor.company, stamp?.record.subject ?? deviceId, actor.member.id, { device: deviceId, photoHash }));
    return { device: deviceId, photoHash, erasedAt: now.toISOString(), record };
  });
  // After the commit, so that an upload racing the erasure sees it and removes what it wrote; on a repeat too, in
  // case the first erasure's removal failed after its commit.
  await blobs.delete(key);
  if (done === null) refuse("PHOTO_ERASED", "this photo is erased already");
  return done;
}

type MediaReader = Pick<DeviceStore, "stampMedia">;

function mediaOf(reader: MediaReader, company: string, device: string, photoHash: string): Promise<StampMedia[]> {
  return reader.stampMedia.list(company, { device, photoHash });
}

const erased = (m: StampMedia): boolean => m.photo === "erased";

/** The media of the actor's company's device for this photo hash; another company's device is not found. */
async function companyMedia(ctx: DeviceContext, actor: Actor, deviceId: string, photoHash: string, reader: MediaReader = ctx.store): Promise<StampMedia[]> {
  const device = await ctx.store.devices.get(deviceId);
  if (device === null || device.company !== actor.company) refuse("NOT_FOUND", `no device ${deviceId}`);
  const media = await mediaOf(reader, actor.company, deviceId, photoHash);
  if (media.length === 0) refuse("STAMP_UNKNOWN", "no stamp of this device carries this photo hash");
  return media;
}

async function stampSeals(ctx: DeviceContext, media: StampMedia[]) {
  return Promise.all(
    media.map(async (m) => {
      const stamp = await ctx.store.records.byId(m.record);
      return stamp === null ? null : ctx.store.seals.get(stamp.record.subject);
    }),
  );
}

async function storedPhoto(blobs: BlobStore, device: string, photoHash: string, media: StampMedia[]): Promise<{ type: PhotoType; bytes: Uint8Array }> {
  if (media.some(erased)) refuse("PHOTO_ERASED", "this photo was erased");
  if (!media.some((m) => m.photo === "stored")) refuse("PHOTO_NOT_UPLOADED", "the device has not uploaded this photo");
  const bytes = await blobs.get(photoBlobKey(device, photoHash));
  if (bytes === null) refuse("PHOTO_NOT_UPLOADED", "the device has not uploaded this photo");
  const type = photoTypeOf(bytes);
  if (type === null) throw new Error(`invariant violated: the blob of photo ${photoHash} of ${device} is not an image`);
  return { type, bytes };
}

/** Whether the authorization's request is of a scenario that publishes its stamps' photos (off unless set). */
export async function stampPublishesPhoto(store: DeviceStore, company: string, authorization: string | null): Promise<boolean> {
  if (authorization === null) return false;
  const issued = await store.authorizations.get(authorization);
  if (issued === null || issued.company !== company) return false;
  const request = await store.requests.get(issued.request);
  if (request === null || request.company !== company) return false;
  const scenario = await store.scenarios.get(request.scenario);
  return scenario !== null && scenario.company === company && publishesPhotos(scenario);
}
