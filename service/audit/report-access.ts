// Issuing a report on demand: the company's auditor or legal representative, their own company only.
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import type { Actor, DomainContext } from "../domain/context";
import { issueReport, type IssuedReport, type ReportFileFormat } from "./report";

export async function issueCompanyReport(ctx: DomainContext, actor: Actor, company: string | undefined, month: string, format: ReportFileFormat, publicBaseUrl: string): Promise<IssuedReport> {
  requirePower(actor, "audit.report");
  if (company !== undefined && company !== actor.company) refuse("NOT_FOUND", `no company ${company}`);
  return issueReport(ctx.store, actor.company, month, format, { actor: actor.member.id, now: ctx.now(), publicBaseUrl });
}
