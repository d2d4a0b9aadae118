// Seal use requests (用章申请) and their approval at the scenario's level; physical seals also need the
// custodian and the reviewer to confirm custody before the device may unlock (devices/authorizations.ts issues the
// unlock in the same transaction as the second confirmation).
import { DomainError, refuse } from "./errors";
import { draft, recordChange, stepUpNote, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { activeLegalReps, getOwned } from "./lookup";
import { isLegalRep, may, requirePower, type Action } from "./policy";
import { requireUsable } from "./seal-usability";
import { scenarioAllows } from "./scenarios";
import { usableGrant } from "./grants";
import type { Tx } from "./schema";
import type { Page, PageRequest } from "../store/port";
import type { ApprovalLevel, Scenario, Seal, SealRequest } from "./model";

export type CreateRequestInput = Pick<SealRequest, "seal" | "scenario" | "documentHash" | "title" | "reason" | "copies" | "windowMinutes" | "geofence">;

export async function createRequest(ctx: DomainContext, actor: Actor, input: CreateRequestInput): Promise<SealRequest> {
  requirePower(actor, "request.create");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const seal = await getOwned(tx, "seals", actor.company, input.seal);
    const scenario = await getOwned(tx, "scenarios", actor.company, input.scenario);
    requireUsable(seal, "request");
    if (!scenarioAllows(scenario, seal)) refuse("SCENARIO_NOT_ALLOWED", `scenario ${scenario.code} does not allow this seal's kind or type`);
    if (seal.kind !== "physical" && (input.windowMinutes !== undefined || input.geofence !== undefined)) refuse("SEAL_FIELDS_INVALID", "an unlock window and a geofence belong to requests for physical seals");
    await usableGrant(tx, actor.company, actor.member.id, seal.id, scenario.id, now);
    const request: SealRequest = { id: newId("r"), company: actor.company, member: actor.member.id, ...input, status: "pending", decidedBy: null, custodyConfirmedBy: [], createdAt: now.toISOString() };
    await tx.requests.insert(request);
    await recordChange(tx, draft("request.created", now, actor.company, request.id, actor.member.id, { seal: seal.id, scenario: scenario.id, documentHash: input.documentHash, copies: input.copies }));
    return request;
  });
}

export async function decideRequest(ctx: DomainContext, actor: Actor, requestId: string, decision: "approve" | "reject"): Promise<SealRequest> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const request = await getOwned(tx, "requests", actor.company, requestId);
    if (request.status !== "pending") refuse("REQUEST_STATE_INVALID", `the request is already ${request.status}`);
    const scenario = await getOwned(tx, "scenarios", actor.company, request.scenario);
    await requireApprover(tx, actor, request, scenario, now);
    const selfApproved = decision === "approve" && (await isAllowedSelfApproval(tx, actor, request, scenario));
    // Rejecting puts the seal to no use: a request for a suspended or revoked seal may still be turned down.
    if (decision === "approve") requireUsable(await getOwned(tx, "seals", actor.company, request.seal), "approve");
    const decided: SealRequest = { ...request, status: decision === "approve" ? "approved" : "rejected", decidedBy: actor.member.id };
    await tx.requests.update(decided);
    const data = { level: scenario.approval, ...(selfApproved ? { selfApproved } : {}), ...stepUpNote(actor) };
    await recordChange(tx, draft(decision === "approve" ? "request.approved" : "request.rejected", now, actor.company, request.id, actor.member.id, data));
    return decided;
  });
}

export interface CustodyConfirmed {
  request: SealRequest;
  seal: Seal;
  /** This confirmation was the second of the two, in either order: the device may now be unlocked. */
  completesDualCustody: boolean;
}

/**
 * The seal's custodian or reviewer confirms custody of a physical seal for an approved request, in the caller's
 * transaction (whose caller unlocks the device when this completes dual custody). A repeat changes nothing.
 */
export async function confirmCustodyIn(tx: Tx, actor: Actor, requestId: string, now: Date): Promise<CustodyConfirmed> {
  const request = await getOwned(tx, "requests", actor.company, requestId);
  const seal = await getOwned(tx, "seals", actor.company, request.seal);
  if (seal.kind !== "physical") refuse("SEAL_KIND_INVALID", "custody is confirmed for physical seals only");
  if (request.status !== "approved") refuse("REQUEST_NOT_APPROVED", "custody is confirmed after approval");
  requirePower(actor, "request.confirm-custody");
  requireUsable(seal, "custody");
  const role = actor.member.id === seal.custodian ? "custodian" : actor.member.id === seal.reviewer ? "reviewer" : null;
  if (role === null) refuse("FORBIDDEN", "only this seal's custodian or reviewer confirms custody");
  if (request.custodyConfirmedBy.includes(actor.member.id)) return { request, seal, completesDualCustody: false };
  const confirmed = { ...request, custodyConfirmedBy: [...request.custodyConfirmedBy, actor.member.id] };
  await tx.requests.update(confirmed);
  await recordChange(tx, draft("request.custody-confirmed", now, actor.company, request.id, actor.member.id, { role, ...stepUpNote(actor) }));
  const both = [seal.custodian, seal.reviewer].every((m) => m !== null && confirmed.custodyConfirmedBy.includes(m));
  return { request: confirmed, seal, completesDualCustody: both };
}

/** Those who may read every request page through all of them; others through their own. */
export async function listRequests(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<SealRequest>> {
  requirePower(actor, "request.read-own");
  return ctx.store.requests.page(actor.company, may(actor, "request.read-all") ? {} : { member: actor.member.id }, page);
}

export async function getRequest(ctx: DomainContext, actor: Actor, requestId: string): Promise<SealRequest> {
  requirePower(actor, "request.read-own");
  const request = await getOwned(ctx.store, "requests", actor.company, requestId);
  if (!may(actor, "request.read-all") && request.member !== actor.member.id) refuse("NOT_FOUND", `no request ${requestId}`);
  return request;
}

/** Who decides a request, by the scenario's approval level. */
const APPROVE_ACTIONS: Record<Exclude<ApprovalLevel, "none">, Action> = {
  dept_head: "request.approve",
  legal_rep: "request.approve-legal-rep-level",
};

/** A legal representative decides any request; a department head within their department, for seals and scenarios they hold. */
async function requireApprover(tx: Tx, actor: Actor, request: SealRequest, scenario: Scenario, now: Date): Promise<void> {
  if (scenario.approval === "none") refuse("REQUEST_STATE_INVALID", "this scenario needs no approval");
  requirePower(actor, APPROVE_ACTIONS[scenario.approval]);
  if (isLegalRep(actor.member)) return;
  const requester = await getOwned(tx, "members", actor.company, request.member);
  if (actor.member.department === null || requester.department !== actor.member.department) refuse("FORBIDDEN", "a department head approves only within their own department");
  try {
    await usableGrant(tx, actor.company, actor.member.id, request.seal, request.scenario, now);
  } catch (err) {
    // Only "you hold no usable grant" becomes a refusal; a store failure stays what it is.
    if (!(err instanceof DomainError)) throw err;
    refuse("FORBIDDEN", "a department head approves only for seals and scenarios they hold themselves", { grant: err.code });
  }
}

/**
 * Nobody approves their own request, with one exception: a company whose only active legal representative
 * requests a legal_rep-level scenario. Nobody else may approve it, so refusing would make such scenarios unusable
 * for them; the approval is allowed and its record carries `selfApproved: true`, so the audit can flag it.
 */
async function isAllowedSelfApproval(tx: Tx, actor: Actor, request: SealRequest, scenario: Scenario): Promise<boolean> {
  if (request.member !== actor.member.id) return false;
  const sole = isLegalRep(actor.member) && scenario.approval === "legal_rep" && (await activeLegalReps(tx, actor.company)).length === 1;
  if (!sole) refuse("SELF_APPROVAL", "you cannot approve your own request");
  return true;
}
