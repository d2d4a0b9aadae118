// Which requests the console offers a member to decide and to confirm custody of. The service judges each act (its
// requireApprover and custody rules); these only keep the inbox to what the member could be asked, so they follow
// the same facts: the scenario's level, the approver's power, department and own requests, the seal's two keepers.
import type { Member, Scenario, Seal, SealRequest } from "./api";
import type { ScreenContext } from "./screen";

export function offersDecision(c: ScreenContext, request: SealRequest, scenario: Scenario | undefined, members: readonly Member[]): boolean {
  if (request.status !== "pending" || scenario === undefined) return false;
  const me = c.session.member;
  if (scenario.approval === "legal_rep") return c.can("request.approve-legal-rep-level");
  if (scenario.approval !== "dept_head" || !c.can("request.approve") || request.member === me.id) return false;
  if (me.roles.includes("legal_rep")) return true;
  const department = (id: string) => members.find((m) => m.id === id)?.department ?? null;
  return department(me.id) !== null && department(request.member) === department(me.id);
}

export function offersCustody(c: ScreenContext, request: SealRequest, seal: Seal | undefined): boolean {
  const me = c.session.member.id;
  const keeper = seal !== undefined && (seal.custodian === me || seal.reviewer === me);
  return c.can("request.confirm-custody") && request.status === "approved" && seal?.kind === "physical" && keeper && request.authorization === undefined && !request.custodyConfirmedBy.includes(me);
}
