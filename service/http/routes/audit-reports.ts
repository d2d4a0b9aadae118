// Audit ledgers (CSV or XLSX, streamed) and monthly reports (JSON, XLSX or PDF, each recorded as audit.report-issued).
import { z } from "zod";
import { ids } from "../schemas";
import { companyLedger } from "../../audit/ledger-export";
import { rolesText } from "../../domain/policy";
import { XLSX_TYPE, type Api } from "../api";
import type { DomainContext } from "../../domain/context";

const instant = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC");

const ledgerQuery = z
  .strictObject({ company: ids.company.optional(), from: instant, to: instant, format: z.enum(["csv", "xlsx"]).default("csv") })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["to"] });

export function auditReportRoutes(api: Api, ctx: DomainContext): void {
  api.addStream(
    {
      method: "get", path: "/audit/ledger", tag: "audit", auth: "member", query: ledgerQuery, status: 200, produces: ["text/csv", XLSX_TYPE], response: z.string(),
      summary: `The ledger of a period [from, to): one row per usage and stamp in time order with its approval chain (request, requester, approver and level, custody confirmations, authorization, device, receipt id), as CSV or XLSX, streamed as the client reads (${rolesText("audit.ledger")})`,
    },
    async ({ actor, query }) => {
      const chunks = companyLedger(ctx, actor, query.company, { from: query.from, to: query.to }, query.format);
      const day = (iso: string) => iso.slice(0, 10);
      return { type: query.format === "csv" ? "text/csv" : XLSX_TYPE, filename: `ledger-${day(query.from)}-${day(query.to)}.${query.format}`, body: chunks };
    },
  );
}
