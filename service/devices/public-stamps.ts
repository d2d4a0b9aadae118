// A smart seal's stamp as anyone holding its receipt id sees it: the receipt with the records that make its story
// (the device's registration, the request's creation and approval, both custody confirmations, the authorization),
// each with its own receipt, and the photo's address when the stamp's scenario publishes photos. Public facts only:
// records carry opaque ids, hashes and roles; names, ID numbers and exact locations stay in the mutable store.
import { refuse } from "../domain/errors";
import { anchoredReceipts, receiptView, type ReceiptView } from "../domain/receipts";
import { receiptFor } from "../anchoring/receipts";
import type { EvidenceRecord, ReceiptBundle } from "../evidence";
import type { LoggedRecord, PendingRecord } from "../store/port";
import { stampPublishesPhoto } from "./photos";
import type { DeviceContext } from "./context";
import type { Authorization } from "./schema";

/** Where the verify page fetches a published stamp photo (the public photo route). */
export const publicPhotoPath = (receiptId: string): string => `/api/v1/receipts/${encodeURIComponent(receiptId)}/photo`;

export interface PublicReceiptView extends ReceiptView {
  /** A stamp's device's `device.registered` receipt: its public key checks the stamp's signature. */
  deviceReceipt?: ReceiptBundle;
  /** An authorized stamp's story, each record's receipt once anchored. */
  story?: { request?: ReceiptBundle; approval?: ReceiptBundle; custody: ReceiptBundle[]; authorization?: ReceiptBundle };
  /** Present when the stamp's scenario publishes photos and its record carries a photo hash; the photo may since be erased. */
  photo?: { url: string };
}

/**
 * The receipt for `receiptId`: the usage or stamp recorded under it, or else an unauthorized stamp made on the paper
 * copy carrying it (the device scanned its QR code, but the stamp took no receipt id). Unknown: NOT_FOUND.
 */
export async function publicReceiptView(ctx: DeviceContext, receiptId: string): Promise<PublicReceiptView> {
  const logged = (await ctx.store.records.getByReceipt(receiptId)) ?? (await stampClaiming(ctx, receiptId));
  if (logged === null) refuse("NOT_FOUND", "no receipt with this id");
  const view: PublicReceiptView = await receiptView(ctx, logged.record, true);
  if (logged.record.type !== "seal.stamped") return view;
  return { ...view, ...(await stampStory(ctx, logged.record, receiptId)) };
}

/**
 * How many of a seal's stamps since an authorization a public lookup reads for one claiming a receipt id: the route
 * is open to anyone, so its cost is bounded; a claim made later than that is not found (an auditor still sees it).
 */
const CLAIM_SEARCH_STAMPS = 2_000;

/** The first stamp recorded since the authorization that reserved `receiptId` that claims it without having taken it. */
async function stampClaiming(ctx: DeviceContext, receiptId: string): Promise<LoggedRecord | null> {
  const authorization = await ctx.store.authorizations.getByKey(`receipt:${receiptId}`);
  if (authorization === null) return null;
  let after: string | undefined;
  let read = 0;
  do {
    const page = await ctx.store.records.page({ company: authorization.company, type: "seal.stamped", subject: authorization.seal, from: authorization.createdAt }, { limit: 100, after });
    const found = page.items.find(({ record }) => record.data.authorized === false && record.data.claimedReceipt === receiptId);
    if (found !== undefined) return found;
    read += page.items.length;
    after = page.next ?? undefined;
  } while (after !== undefined && read < CLAIM_SEARCH_STAMPS);
  return null;
}

type StampParts = Pick<PublicReceiptView, "deviceReceipt" | "story" | "photo">;

async function stampStory(ctx: DeviceContext, stamp: EvidenceRecord | PendingRecord, receiptId: string): Promise<StampParts> {
  const out: StampParts = {};
  const device = typeof stamp.data.device === "string" ? stamp.data.device : null;
  const [deviceReceipt] = device === null ? [] : await anchoredReceipts(ctx, { company: stamp.company, type: "device.registered", subject: device });
  if (deviceReceipt) out.deviceReceipt = deviceReceipt;
  const authorization = await authorizationOf(ctx, stamp);
  if (stamp.data.authorized !== true || authorization === null) return out;
  const records = (type: string) => anchoredReceipts(ctx, { company: stamp.company, type, subject: authorization.request });
  const story: NonNullable<StampParts["story"]> = { custody: await records("request.custody-confirmed") };
  const [request] = await records("request.created");
  const [approval] = await records("request.approved");
  if (request) story.request = request;
  if (approval) story.approval = approval;
  const issued = await ctx.store.records.byId(authorization.issuedRecord);
  const issuedLookup = issued === null ? null : await receiptFor(ctx.store, issued.record);
  if (issuedLookup?.status === "anchored") story.authorization = issuedLookup.receipt;
  out.story = story;
  // The public photo route serves the photo under the same rule.
  if (typeof stamp.data.photoHash === "string" && (await stampPublishesPhoto(ctx.store, stamp.company, authorization.id))) out.photo = { url: publicPhotoPath(receiptId) };
  return out;
}

/** The authorization a stamp names, when it is of the stamp's company. */
async function authorizationOf(ctx: DeviceContext, stamp: EvidenceRecord | PendingRecord): Promise<Authorization | null> {
  if (typeof stamp.data.authorization !== "string") return null;
  const authorization = await ctx.store.authorizations.get(stamp.data.authorization);
  return authorization !== null && authorization.company === stamp.company ? authorization : null;
}
