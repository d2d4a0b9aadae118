// Stamp photos: the device's upload (its credential; the bytes must be a JPEG or PNG hashing to the SM3 in the path
// and to the photoHash of one of its stamps), a member's read, the legal representative's erasure, and the public
// read by receipt id when the stamp's scenario publishes its photos (rate-limited like the receipt itself).
import express, { type RequestHandler } from "express";
import { z } from "zod";
import { ids } from "../schemas";
import { photoErased, photoImage, photoStored } from "../responses";
import { ApiError } from "../errors";
import { erasePhoto, memberPhoto, PHOTO_TYPES, publicPhoto, uploadPhoto } from "../../devices/photos";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { BlobStore } from "../../blobs/port";
import type { DeviceContext } from "../../devices/context";

export const PHOTO_PATH = "/devices/:id/photos/:sm3";

export interface PhotoOptions {
  blobs: BlobStore;
  /** The largest photo a device may upload, in bytes (PHOTO_MAX_BYTES). */
  maxBytes: number;
}

const photoParams = z.strictObject({ id: ids.device, sm3: z.string().regex(/^[0-9a-f]{64}$/, "expected the photo's SM3, 64 lowercase hex digits") });
const receiptParams = z.strictObject({ receiptId: ids.receipt });
const photoBody = z.instanceof(Uint8Array, { message: "send the photo's bytes as the body" });

/**
 * Reads a photo upload's body as bytes, whatever its Content-Type (the handler decides by the bytes' signature), and
 * refuses one over `maxBytes` by its Content-Length before reading it, or as it streams past the limit.
 */
export function photoUploadBody(maxBytes: number): RequestHandler {
  const read = express.raw({ type: () => true, limit: maxBytes, inflate: false });
  const tooLarge = () => new ApiError(413, "PHOTO_TOO_LARGE", `a stamp photo is at most ${maxBytes} bytes`, { maxBytes });
  return (req, res, next) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
      next(tooLarge());
      return;
    }
    read(req, res, (err?: unknown) => {
      const type = typeof err === "object" && err !== null && "type" in err ? err.type : null;
      next(type === "entity.too.large" ? tooLarge() : err);
    });
  };
}

export function stampPhotoRoutes(api: Api, devices: () => DeviceContext, photos: () => PhotoOptions): void {
  api.add(
    {
      method: "put", path: PHOTO_PATH, tag: "devices", auth: "device", params: photoParams, body: photoBody, consumes: PHOTO_TYPES, status: 200, response: photoStored,
      summary: "The calling device's photo of a stamped page, JPEG or PNG (by its leading bytes), at most PHOTO_MAX_BYTES; its SM3 must be {sm3} and the photoHash of one of the device's stamps. Stored once: the same upload again answers the same",
    },
    async ({ device, params, body }) => uploadPhoto(devices(), photos().blobs, device, params.id, params.sm3, body),
  );
  api.addMedia(
    {
      method: "get", path: PHOTO_PATH, tag: "devices", auth: "member", params: photoParams, status: 200, produces: PHOTO_TYPES, response: photoImage,
      summary: `A stamp photo the device uploaded (${rolesText("stamp.photo-read")}, or the seal's custodian or reviewer); 404 PHOTO_ERASED once erased`,
    },
    async ({ actor, params }) => asFile(await memberPhoto(devices(), photos().blobs, actor, params.id, params.sm3)),
  );
  api.add(
    {
      method: "post", path: `${PHOTO_PATH}/erasure`, tag: "devices", auth: "member", params: photoParams, status: 201, response: photoErased,
      summary: `Erase a stamp photo for good (${rolesText("stamp.photo-erase")}): the bytes are removed, the stamp's record keeps the hash, stamp.photo-erased is recorded, and the device's upload is refused from then on`,
    },
    async ({ actor, params }) => erasePhoto(devices(), photos().blobs, actor, params.id, params.sm3),
  );
  api.addMedia(
    {
      method: "get", path: "/receipts/:receiptId/photo", tag: "receipts", auth: "public", params: receiptParams, status: 200, rateLimited: true, produces: PHOTO_TYPES, response: photoImage,
      summary: "The photo of the stamp recorded under this receipt id, only when the stamp's scenario publishes its photos (publicPhotos) and the photo is uploaded and not erased; else 404 PHOTO_NOT_PUBLIC, PHOTO_NOT_UPLOADED or PHOTO_ERASED. Check it against the stamp's anchored photoHash",
    },
    async ({ params }) => asFile(await publicPhoto(devices(), photos().blobs, params.receiptId)),
  );
}

function asFile(photo: { type: (typeof PHOTO_TYPES)[number]; bytes: Uint8Array }) {
  return { type: photo.type, filename: null, body: photo.bytes };
}
