// Seal use requests (用章申请) and their approval at the scenario's level; physical seals also need the
// custodian and the reviewer to confirm custody before the device may unlock.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { getOwned } from "./lookup";
import { hasRole, requireWriter } from "./authz";
import { scenarioAllows } from "./scenarios";
import { usableGrant } from "./grants";
import type { Tx } from "../store/port";
import type { Scenario, SealRequest } from "./model";

export type CreateRequestInput = Pick<SealRequest, "seal" | "scenario" | "documentHash" | "title" | "reason" | "copies">;

export async function createRequest(ctx: DomainContext, actor: Actor, input: CreateRequestInput): Promise<SealRequest> {
  requireWriter(actor, "requesting seal use");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const seal = await getOwned(tx, "seals", actor.company, input.seal);
    const scenario = await getOwned(tx, "scenarios", actor.company, input.scenario);
    if (seal.status !== "active") refuse(seal.status === "suspended" ? "SEAL_SUSPENDED" : "SEAL_REVOKED", `the seal is ${seal.status}`);
    if (!scenarioAllows(scenario, seal)) refuse("SCENARIO_NOT_ALLOWED", `scenario ${scenario.code} does not allow this seal's kind or type`);
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
    const decided: SealRequest = { ...request, status: decision === "approve" ? "approved" : "rejected", decidedBy: actor.member.id };
    await tx.requests.update(decided);
    await recordChange(tx, draft(decision === "approve" ? "request.approved" : "request.rejected", now, actor.company, request.id, actor.member.id, { level: scenario.approval }));
    return decided;
  });
}

/** The seal's custodian or reviewer confirms custody of a physical seal for an approved request. */
export async function confirmCustody(ctx: DomainContext, actor: Actor, requestId: string): Promise<SealRequest> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const request = await getOwned(tx, "requests", actor.company, requestId);
    const seal = await getOwned(tx, "seals", actor.company, request.seal);
    if (seal.kind !== "physical") refuse("SEAL_KIND_INVALID", "custody is confirmed for physical seals only");
    if (request.status !== "approved") refuse("REQUEST_NOT_APPROVED", "custody is confirmed after approval");
    const role = actor.member.id === seal.custodian ? "custodian" : actor.member.id === seal.reviewer ? "reviewer" : null;
    if (role === null) refuse("FORBIDDEN", "only this seal's custodian or reviewer confirms custody");
    if (request.custodyConfirmedBy.includes(actor.member.id)) return request;
    const confirmed = { ...request, custodyConfirmedBy: [...request.custodyConfirmedBy, actor.member.id] };
    await tx.requests.update(confirmed);
    await recordChange(tx, draft("request.custody-confirmed", now, actor.company, request.id, actor.member.id, { role }));
    return confirmed;
  });
}

export async function listRequests(ctx: DomainContext, actor: Actor): Promise<SealRequest[]> {
  const all = await ctx.store.requests.list(actor.company);
  if (hasRole(actor, "seal_admin", "auditor", "dept_head", "custodian", "reviewer")) return all;
  return all.filter((r) => r.member === actor.member.id);
}

export async function getRequest(ctx: DomainContext, actor: Actor, requestId: string): Promise<SealRequest> {
  const request = await getOwned(ctx.store, "requests", actor.company, requestId);
  if (!hasRole(actor, "seal_admin", "auditor", "dept_head", "custodian", "reviewer") && request.member !== actor.member.id) refuse("NOT_FOUND", `no request ${requestId}`);
  return request;
}

async function requireApprover(tx: Tx, actor: Actor, request: SealRequest, scenario: Scenario, now: Date): Promise<void> {
  if (scenario.approval === "none") refuse("REQUEST_STATE_INVALID", "this scenario needs no approval");
  if (hasRole(actor)) return;
  if (scenario.approval === "legal_rep") refuse("FORBIDDEN", "this scenario is approved by the legal representative");
  if (!actor.member.roles.includes("dept_head")) refuse("FORBIDDEN", "this scenario is approved by a department head");
  if (request.member === actor.member.id) refuse("SELF_APPROVAL", "you cannot approve your own request");
  const requester = await getOwned(tx, "members", actor.company, request.member);
  if (actor.member.department === null || requester.department !== actor.member.department) refuse("FORBIDDEN", "a department head approves only within their own department");
  try {
    await usableGrant(tx, actor.company, actor.member.id, request.seal, request.scenario, now);
  } catch {
    refuse("FORBIDDEN", "a department head approves only for seals and scenarios they hold themselves");
  }
}
