// What the mutable store keeps beside a stamp's record about its photo and its location: the record's id (so a photo
// upload, a member's read or a disclosure finds the anchored record) and whether each was uploaded or erased.
import { kind, type Schema } from "../store/schema";

export const PHOTO_STATES = ["awaited", "stored", "erased"] as const;
export type PhotoState = (typeof PHOTO_STATES)[number];

/** One per stamp that carries a photo hash or a location: id `<device>:<n>`, as its message and location. */
export interface StampMedia {
  id: string;
  company: string;
  device: string;
  n: number;
  /** The id of the stamp's `seal.stamped` record. */
  record: string;
  /** The SM3 of the photo the device took, as signed; null when it took none. */
  photoHash: string | null;
  /** Awaited until the device uploads the photo; erased for good once the legal representative erases it. */
  photo: PhotoState;
  photoErasedAt: string | null;
  /** When the exact location (and its salt) were erased; null while kept, or when there never was one. */
  locationErasedAt: string | null;
  createdAt: string;
}

export const MEDIA_SCHEMA = {
  // Indexed by photoHash: an upload names its photo by hash, not by the stamp.
  stampMedia: kind<StampMedia>({ label: "stamp photo and location", indexed: ["photoHash"] }),
} satisfies Schema;
