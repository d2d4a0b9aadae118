// Audit: the company's audit bundle (sealproof-audit/1), streamed as JSON Lines.
import { z } from "zod";
import { ids } from "../schemas";
import { companyAuditBundle } from "../../audit/access";
import { rolesText } from "../../domain/policy";
import type { AuditRange } from "../../audit/bundle";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { Deployment } from "../../evidence";

const instant = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC");
const cseq = z.coerce.number().int().min(0);

const bundleQuery = z
  .strictObject({ company: ids.company.optional(), from: instant.optional(), to: instant.optional(), fromCseq: cseq.optional(), toCseq: cseq.optional() })
  .refine((q) => (q.from === undefined && q.to === undefined) || (q.fromCseq === undefined && q.toCseq === undefined), "give a time range (from, to) or a cseq range (fromCseq, toCseq), not both");

export function auditRoutes(api: Api, ctx: DomainContext, deployment: () => Deployment | null): void {
  api.addStream(
    {
      method: "get", path: "/audit/bundle", tag: "audit", auth: "member", query: bundleQuery, status: 200, produces: "application/jsonl", response: z.string(),
      summary: `The company's audit bundle (sealproof-audit/1, JSON Lines): the anchored receipts of a time or cseq range in cseq order, the predecessor's receipt when the range starts mid-chain, the registrations signatures are checked against, and an end line counting receipts and records left out as not yet anchored (${rolesText("audit.export")})`,
    },
    async ({ actor, query }) => {
      const range: AuditRange =
        query.fromCseq !== undefined || query.toCseq !== undefined ? { by: "cseq", from: query.fromCseq ?? null, to: query.toCseq ?? null } : { by: "time", from: query.from ?? null, to: query.to ?? null };
      return companyAuditBundle(ctx, actor, query.company, range, deployment());
    },
  );
}
