// Electronic seal usage in two steps: reserve a receipt id (no record), then submit the TBS signed with
// the seal's SM2 key. The signature is checked outside the transaction; every state rule is checked inside.
import { refuse } from "./errors";
import { draft, type Actor, type DomainContext } from "./context";
import { newReceiptId } from "./ids";
import { getOwned } from "./lookup";
import { requirePower } from "./policy";
import { requireUsable } from "./seal-usability";
import { scenarioAllows } from "./scenarios";
import { usableGrant } from "./grants";
import type { UsageTbs } from "../evidence";
import { StoreConflictError, type LoggedRecord } from "../store/port";
import type { Tx } from "./schema";
import type { Reservation } from "./model";

/** How far a client's clock may run ahead of ours. */
const SIGNED_AT_SKEW_MS = 5 * 60_000;

export async function reserveReceipt(ctx: DomainContext, actor: Actor, sealId: string): Promise<Reservation> {
  requirePower(actor, "usage.reserve");
  const now = ctx.now();
  const seal = await getOwned(ctx.store, "seals", actor.company, sealId);
  requireUsable(seal, "reserve");
  const held = await ctx.store.grants.list(actor.company, { member: actor.member.id, seal: seal.id, withdrawn: false });
  if (held.length === 0) refuse("GRANT_MISSING", "you hold no grant for this seal");
  const reservation: Reservation = {
    id: newReceiptId(),
    company: actor.company,
    member: actor.member.id,
    seal: seal.id,
    expiresAt: new Date(now.getTime() + ctx.reservationTtlMs).toISOString(),
    createdAt: now.toISOString(),
  };
  await ctx.store.reservations.insert(reservation);
  return reservation;
}

/**
 * `tbs.sourceDocumentHash`: when the sealed file is a stamped copy of an approved original (the seal image and
 * QR change its bytes), the original's hash; the approved request may name either. It is signed with the rest of
 * the TBS, so the claim that the sealed file derives from the approved one is the signer's, on the record.
 */
export async function submitUsage(ctx: DomainContext, actor: Actor, tbs: UsageTbs, signature: string): Promise<LoggedRecord> {
  requirePower(actor, "usage.submit");
  if (tbs.signer !== actor.member.id) refuse("SIGNER_MISMATCH", "the TBS names another signer than the key's member");
  const now = ctx.now();
  if (Date.parse(tbs.signedAt) > now.getTime() + SIGNED_AT_SKEW_MS) refuse("SIGNED_AT_INVALID", "signedAt lies in the future");
  const publicKey = await sealPublicKey(ctx, actor.company, tbs.seal);
  if (!(await ctx.verifyUsage(tbs, signature, publicKey))) refuse("SIGNATURE_INVALID", "the SM2 signature does not verify with this seal's public key");
  return ctx.store.transaction(async (tx) => {
    await requireReservation(tx, actor, tbs, now);
    const current = await getOwned(tx, "seals", actor.company, tbs.seal);
    requireUsable(current, "use");
    const scenario = await getOwned(tx, "scenarios", actor.company, tbs.scenario);
    if (!scenarioAllows(scenario, current)) refuse("SCENARIO_NOT_ALLOWED", `scenario ${scenario.code} does not allow this seal's kind or type`);
    const grant = await usableGrant(tx, actor.company, actor.member.id, current.id, scenario.id, now);
    if (scenario.approval !== "none" || tbs.request !== null) await consumeRequest(tx, actor, tbs, scenario.approval !== "none");
    await tx.grants.update(Object.assign({}, grant, { uses: grant.uses + 1 }));
    const { receipt, signedAt, documentHash, scenario: scenarioId, request, sourceDocumentHash } = tbs;
    const data = { receipt, signedAt, documentHash, scenario: scenarioId, request, signature, grant: grant.id, ...(sourceDocumentHash ? { sourceDocumentHash } : {}) };
    try {
      const [record] = await tx.records.append([draft("seal.used", now, actor.company, current.id, actor.member.id, data)]);
      return record;
    } catch (err) {
      // A store whose transactions run concurrently (MongoDB) finds the second use here, by the records' unique receipt id.
      if (err instanceof StoreConflictError && err.kind === "records") refuse("RESERVATION_USED", "this receipt id has been used already");
      throw err;
    }
  });
}

/**
 * What a seal is signed with does not change once it is registered (only its status does, and the transaction checks
 * that), so its key is remembered per store: reading the seal outside a transaction costs ~40 µs of the event loop,
 * since the reading connection's page cache is dropped whenever anything was written since its last read.
 */
type SealKeys = Map<string, { company: string; publicKey: string }>;
const sealKeys = new WeakMap<object, SealKeys>();
const SEAL_KEYS_MAX = 10_000;

async function sealPublicKey(ctx: DomainContext, company: string, sealId: string): Promise<string> {
  let known = sealKeys.get(ctx.store);
  if (known === undefined) {
    known = new Map() as SealKeys;
    sealKeys.set(ctx.store, known);
  }
  const remembered = known.get(sealId);
  if (remembered !== undefined && remembered.company === company) return remembered.publicKey;
  const seal = await getOwned(ctx.store, "seals", company, sealId);
  if (seal.kind !== "electronic" || seal.publicKey === null) refuse("SEAL_KIND_INVALID", "only electronic seals are used by signature");
  if (known.size >= SEAL_KEYS_MAX) known.clear();
  known.set(sealId, { company, publicKey: seal.publicKey });
  return seal.publicKey;
}

async function requireReservation(tx: Tx, actor: Actor, tbs: UsageTbs, now: Date): Promise<void> {
  const reservation = await tx.reservations.get(tbs.receipt);
  if (reservation === null || reservation.company !== actor.company || reservation.member !== actor.member.id || reservation.seal !== tbs.seal) {
    refuse("NOT_FOUND", "no reservation for this receipt id, member and seal; reserve one first", { receipt: tbs.receipt });
  }
  const used = await tx.records.getByReceipt(tbs.receipt);
  if (used !== null) refuse("RESERVATION_USED", "this receipt id has been used already", { record: used.id });
  if (Date.parse(reservation.expiresAt) <= now.getTime()) refuse("RESERVATION_EXPIRED", "this receipt id's reservation has expired; reserve a new one");
}

async function consumeRequest(tx: Tx, actor: Actor, tbs: UsageTbs, required: boolean): Promise<void> {
  if (tbs.request === null) {
    if (required) refuse("APPROVAL_REQUIRED", "this scenario needs an approved request; name it in the TBS");
    return;
  }
  const request = await getOwned(tx, "requests", actor.company, tbs.request);
  if (request.member !== actor.member.id || request.seal !== tbs.seal || request.scenario !== tbs.scenario) {
    refuse("REQUEST_MISMATCH", "the request is for another member, seal or scenario");
  }
  if (request.status !== "approved") refuse(request.status === "used" ? "REQUEST_STATE_INVALID" : "REQUEST_NOT_APPROVED", `the request is ${request.status}`);
  if (request.documentHash !== tbs.documentHash && request.documentHash !== tbs.sourceDocumentHash) {
    refuse("DOCUMENT_HASH_MISMATCH", "neither the signed document hash nor the signed source document hash matches the approved request's");
  }
  await tx.requests.update({ ...request, status: "used" });
}
