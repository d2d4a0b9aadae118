// The findings of a period for the actor's company (auditor and legal_rep): every rule evaluated over the log, and
// the critical findings alerted once each.
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import type { Actor, DomainContext } from "../domain/context";
import { evaluateAnomalies, type Evaluation } from "./anomalies";
import { alertCriticalFindings } from "./anomalies-alerts";
import { RULES } from "./rules";
import type { Period } from "./reconciliation";

export async function findAnomalies(ctx: DomainContext, actor: Actor, company: string | undefined, period: Period): Promise<Evaluation> {
  requirePower(actor, "audit.findings");
  if (company !== undefined && company !== actor.company) refuse("NOT_FOUND", `no company ${company}`);
  const evaluation = await evaluateAnomalies(ctx.store, actor.company, period, RULES);
  await alertCriticalFindings(ctx.store, actor.company, evaluation.findings, ctx.now());
  return evaluation;
}
