// Who may export what: a member of the company with the power to export, their own company's records only.
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import type { Actor, DomainContext } from "../domain/context";
import { auditBundleLines } from "./export";
import type { AuditRange } from "./bundle";

/**
 * The actor's company's audit bundle; `company`, when the caller names one, must be theirs (another company's is
 * NOT_FOUND, as any of its resources is). Refusals happen here, before the first line is written.
 */
export function companyAuditBundle(ctx: DomainContext, actor: Actor, company: string | undefined, range: AuditRange, deployment: { chainId: number; contract: string } | null): AsyncIterable<string> {
  requirePower(actor, "audit.export");
  if (company !== undefined && company !== actor.company) refuse("NOT_FOUND", `no company ${company}`);
  return auditBundleLines(ctx.store, { company: actor.company, range, deployment, now: ctx.now() });
}
