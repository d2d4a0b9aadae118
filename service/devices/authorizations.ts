// Device authorizations: issued in the transaction of the second custody confirmation of an approved physical-seal
// request, sent to the device as a signed `unlock`, and cancelled on it (`unlock-cancel`) once withdrawn or expired.
// What an authorization covers is decided once, in authorizationCovers(), for device and manual stamps alike.
import { draft, recordChange, type Actor } from "../domain/context";
import { refuse } from "../domain/errors";
import { newId, newReceiptId } from "../domain/ids";
import { getOwned } from "../domain/lookup";
import { requirePower } from "../domain/policy";
import { confirmCustodyIn, getRequest } from "../domain/requests";
import { receiptIdHash, STAMP_CLOCK_SKEW_MS, type Sm2KeyPair } from "../evidence";
import type { StampLocation } from "../evidence/stamp";
import { issueCommand } from "./commands";
import type { Device, Geofence, Seal, SealRequest } from "../domain/model";
import type { DeviceContext } from "./context";
import { DEADLINE_PARTITION, type Authorization, type DeviceRepositories, type DeviceStore, type DeviceTx } from "./schema";

/** How long an authorization stays open when the request asks for no other window. */
export const DEFAULT_WINDOW_MINUTES = 120;

/** How far a device's clock may run ahead of the service's, or start before the authorization, and a stamp still count. */
export const CLOCK_SKEW_MS = STAMP_CLOCK_SKEW_MS;

/** Records of the service's own doing (an authorization found expired) name this actor. */
const SERVICE_ACTOR = "service";

/**
 * Confirms custody as the seal's custodian or reviewer; the second confirmation, in either order, issues the
 * request's authorization in the same transaction. Answers the request, naming its authorization once issued.
 */
export async function confirmCustodyAndUnlock(ctx: DeviceContext, actor: Actor, requestId: string): Promise<SealRequest> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { request, seal, completesDualCustody } = await confirmCustodyIn(tx, actor, requestId, now);
    if (!completesDualCustody || request.authorization !== undefined) return request;
    const authorization = await issueAuthorization(tx, ctx.commandKey, now, actor, request, seal);
    const unlocked: SealRequest = { ...request, authorization: authorization.id };
    await tx.requests.update(unlocked);
    return unlocked;
  });
}

/**
 * `copies` stamps within the request's window (default 2 h) by the requester, inside the request's geofence or else
 * the seal's, under `copies` freshly reserved receipt ids: `device.unlock-issued` and a signed `unlock` command.
 */
async function issueAuthorization(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, actor: Actor, request: SealRequest, seal: Seal): Promise<Authorization> {
  const stored = seal.device === null ? null : await tx.devices.get(seal.device);
  if (stored === null || stored.company !== seal.company || stored.seal !== seal.id || stored.status === "retired") {
    refuse("DEVICE_NOT_BOUND", "the seal sits in no enrolled smart-seal device that could be unlocked");
  }
  const device: Device = { ...stored };
  const id = newId("au");
  const receipts = Array.from({ length: request.copies }, newReceiptId);
  const validUntil = new Date(now.getTime() + (request.windowMinutes ?? DEFAULT_WINDOW_MINUTES) * 60_000);
  const geofence = request.geofence ?? seal.geofence ?? null;
  const command = await issueCommand(tx, commandKey, now, device, "unlock", {
    authorization: id, copies: request.copies, notBefore: now.toISOString(), notAfter: validUntil.toISOString(), receipts, geofence: geofence === null ? null : { ...geofence },
  });
  await tx.devices.update(device);
  const issuedRecord = await recordChange(
    tx,
    draft("device.unlock-issued", now, device.company, device.id, actor.member.id, {
      authorization: id, request: request.id, seal: seal.id, operator: request.member, copies: request.copies, validFrom: now.toISOString(), validUntil: validUntil.toISOString(),
      geofenced: geofence !== null, receiptHashes: receipts.map(receiptHash), command: command.n,
    }),
  );
  const authorization: Authorization = {
    id, company: device.company, device: device.id, seal: seal.id, request: request.id, operator: request.member, copies: request.copies, receipts, usedReceipts: [],
    validFrom: now.toISOString(), validUntil: validUntil.toISOString(), geofence, status: "open", closedAt: null, issuedRecord, createdAt: now.toISOString(),
  };
  await tx.authorizations.insert(authorization);
  await tx.authorizationDeadlines.insert({ id, company: DEADLINE_PARTITION, device: device.id, validUntil: authorization.validUntil });
  return authorization;
}

/** What the unlock record lists for each receipt id, so one copy's QR code does not give away the others'. */
export const receiptHash = receiptIdHash;

/** Why an authorization does not cover a stamp. */
export type CoverageReason = "AUTHORIZATION_WITHDRAWN" | "OUTSIDE_WINDOW" | "AUTHORIZATION_EXHAUSTED" | "RECEIPT_NOT_RESERVED" | "RECEIPT_USED";

export interface Coverage {
  reasons: CoverageReason[];
  /** The receipt id to record the stamp under: the one named, else the next unused one; null when not covered. */
  receipt: string | null;
}

/**
 * Whether `authorization` covers a stamp made at `at` (the device's clock, or now for a manual stamp) naming `receipt`:
 * not withdrawn before it, inside the window (the device's clock no further ahead of `now` than the skew allows), not
 * exhausted, and under a receipt it reserved and nobody used. The device and the geofence are the caller's to check.
 */
export function authorizationCovers(authorization: Authorization, at: Date, receipt: string | null, now: Date): Coverage {
  const reasons: CoverageReason[] = [];
  const t = at.getTime();
  if (authorization.status === "withdrawn" && authorization.closedAt !== null && t >= Date.parse(authorization.closedAt)) reasons.push("AUTHORIZATION_WITHDRAWN");
  if (t < Date.parse(authorization.validFrom) - CLOCK_SKEW_MS || t > Date.parse(authorization.validUntil) || t > now.getTime() + CLOCK_SKEW_MS) reasons.push("OUTSIDE_WINDOW");
  if (authorization.usedReceipts.length >= authorization.copies) reasons.push("AUTHORIZATION_EXHAUSTED");
  if (receipt !== null && !authorization.receipts.includes(receipt)) reasons.push("RECEIPT_NOT_RESERVED");
  else if (receipt !== null && authorization.usedReceipts.includes(receipt)) reasons.push("RECEIPT_USED");
  if (reasons.length > 0) return { reasons, receipt: null };
  return { reasons, receipt: receipt ?? authorization.receipts.find((r) => !authorization.usedReceipts.includes(r)) ?? null };
}

/** Marks `receipt` used under `authorization`, in the caller's transaction; resolves the authorization as stored. */
export async function useReceipt(tx: DeviceTx, authorization: Authorization, receipt: string): Promise<Authorization> {
  const used: Authorization = { ...authorization, usedReceipts: [...authorization.usedReceipts, receipt] };
  await tx.authorizations.update(used);
  return used;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Inside when the fix's centre is within the circle and the fix is no less precise than the circle is wide. */
export function insideGeofence(geofence: Geofence, location: StampLocation): boolean {
  return location.accuracyM <= geofence.radiusM && distanceM(geofence, location) <= geofence.radiusM;
}

/** Great-circle (haversine) distance in metres. */
function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Another company's authorization is reported exactly like a missing one. */
export async function ownedAuthorization(repos: Pick<DeviceRepositories, "authorizations">, company: string, id: string): Promise<Authorization> {
  const authorization = await repos.authorizations.get(id);
  if (authorization === null || authorization.company !== company) refuse("NOT_FOUND", `no authorization ${id}`, { kind: "authorization", id });
  return authorization;
}

/** An authorization, for those who may read its request: the requester, and those who read every request. */
export async function getAuthorization(ctx: DeviceContext, actor: Actor, id: string): Promise<Authorization> {
  const authorization = await ownedAuthorization(ctx.store, actor.company, id);
  await getRequest(ctx, actor, authorization.request);
  return authorization;
}

/** Withdraws an open authorization: the device is told to cancel it, and stamps it makes from now on are not covered. */
export async function withdrawAuthorization(ctx: DeviceContext, actor: Actor, id: string): Promise<Authorization> {
  requirePower(actor, "authorization.withdraw");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const authorization = await ownedAuthorization(tx, actor.company, id);
    if (authorization.status !== "open") refuse("AUTHORIZATION_CLOSED", `the authorization is already ${authorization.status}`);
    const stored = await getOwned(tx, "devices", actor.company, authorization.device);
    const device: Device = { ...stored };
    const closed = await closeAuthorization(tx, ctx.commandKey, now, device, authorization, "withdrawn", actor.member.id);
    await tx.devices.update(device);
    return closed;
  });
}

/**
 * Closes the device's open authorizations whose window has passed, in the caller's transaction: each is cancelled on
 * the device. `device` is the caller's working copy (its commandN changes here); the caller stores it. Called when the
 * device speaks, and by the expiry job (expireDueAuthorizations) for devices that do not. Resolves those still open.
 */
export async function expireAuthorizations(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device): Promise<Authorization[]> {
  const open: Authorization[] = [];
  // Through the deadlines, which exist while an authorization is open: a device's whole history is never read.
  for (const deadline of await tx.authorizationDeadlines.list(DEADLINE_PARTITION, { device: device.id })) {
    const authorization = await tx.authorizations.get(deadline.id);
    if (authorization === null || authorization.status !== "open" || authorization.device !== device.id) continue;
    if (Date.parse(authorization.validUntil) <= now.getTime()) await closeAuthorization(tx, commandKey, now, device, authorization, "expired", SERVICE_ACTOR);
    else open.push(authorization);
  }
  return open;
}

async function closeAuthorization(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device, authorization: Authorization, reason: "withdrawn" | "expired", actor: string): Promise<Authorization> {
  const command = await issueCommand(tx, commandKey, now, device, "unlock-cancel", { authorization: authorization.id, reason });
  await recordChange(tx, draft("device.unlock-cancelled", now, device.company, device.id, actor, { authorization: authorization.id, reason, command: command.n }));
  const closed: Authorization = { ...authorization, status: reason, closedAt: now.toISOString() };
  await tx.authorizations.update(closed);
  await tx.authorizationDeadlines.delete(authorization.id);
  return closed;
}

/**
 * One pass of the expiry job: every open authorization whose window has ended is closed as expired and cancelled on its
 * device (`unlock-cancel`, which the device obeys by locking), whether or not the device has spoken since. Resolves how
 * many were closed.
 */
export async function expireDueAuthorizations(store: DeviceStore, commandKey: Sm2KeyPair, now: Date): Promise<number> {
  const due = (await store.authorizationDeadlines.list(DEADLINE_PARTITION)).filter((d) => Date.parse(d.validUntil) <= now.getTime());
  let closed = 0;
  for (const deadline of due) {
    closed += await store.transaction(async (tx) => {
      const authorization = await tx.authorizations.get(deadline.id);
      const stored = await tx.devices.get(deadline.device);
      if (authorization === null || authorization.status !== "open" || stored === null) {
        await tx.authorizationDeadlines.delete(deadline.id);
        return 0;
      }
      const device: Device = { ...stored };
      await closeAuthorization(tx, commandKey, now, device, authorization, "expired", SERVICE_ACTOR);
      await tx.devices.update(device);
      return 1;
    });
  }
  return closed;
}
