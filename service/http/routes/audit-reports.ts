// Audit ledgers (CSV or XLSX, streamed) and monthly reports (JSON, XLSX or PDF, issued by POST, each recorded as audit.report-issued).
import { z } from "zod";
import { ids } from "../schemas";
import { companyLedger } from "../../audit/ledger-export";
import { issueCompanyReport } from "../../audit/report-access";
import { ownBaseUrl } from "./receipt-qr";
import { rolesText } from "../../domain/policy";
import { XLSX_TYPE, type Api } from "../api";
import { ApiError } from "../errors";
import type { DomainContext } from "../../domain/context";

const instant = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC");

const ledgerQuery = z
  .strictObject({ company: ids.company.optional(), from: instant, to: instant, format: z.enum(["csv", "xlsx"]).default("csv") })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["to"] });

const reportParams = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month, YYYY-MM") });
/** Taken from the query or the JSON body alike. */
const reportFields = z.strictObject({ company: ids.company.optional(), format: z.enum(["json", "xlsx", "pdf"]).optional() });
/** The receipt id and verify link of the report's audit.report-issued record, for clients of the XLSX and PDF files. */
export const RECEIPT_HEADER = "Sealproof-Receipt";
export const VERIFY_URL_HEADER = "Sealproof-Verify-Url";
const REPORT_TYPES = { json: "application/json", xlsx: XLSX_TYPE, pdf: "application/pdf" } as const;

type ReportFields = z.output<typeof reportFields>;

/** The report's company and format, each given in the query or the body; given in both, the two must agree. */
function reportOptions(query: ReportFields, body: ReportFields): ReportFields {
  for (const field of ["company", "format"] as const) {
    if (query[field] !== undefined && body[field] !== undefined && query[field] !== body[field]) {
      throw new ApiError(400, "VALIDATION_FAILED", `${field} is "${query[field]}" in the query and "${body[field]}" in the body`, [{ path: field, message: "the query and the body disagree" }]);
    }
  }
  return { company: body.company ?? query.company, format: body.format ?? query.format };
}

export function auditReportRoutes(api: Api, ctx: DomainContext, publicBaseUrl: string | undefined): void {
  api.addMedia(
    {
      method: "post", path: "/audit/reports/:month", tag: "audit", auth: "member", params: reportParams, query: reportFields, body: reportFields, status: 200, produces: ["application/json", XLSX_TYPE, "application/pdf"], response: z.instanceof(Uint8Array),
      summary: `Issues the month's audit report (summary, reconciliation, anomaly findings, charts) as JSON, XLSX or PDF (format, default json, and company, in the query or the JSON body); its SM3 is recorded as audit.report-issued under the receipt id the report carries (the PDF as a QR) and the ${RECEIPT_HEADER} and ${VERIFY_URL_HEADER} headers name, so the file verifies. Each call issues a new report under a receipt of its own; no Idempotency-Key, as the file is not kept (${rolesText("audit.report")})`,
    },
    async ({ actor, params, query, body, req }) => {
      const { company, format = "json" } = reportOptions(query, body);
      const issued = await issueCompanyReport(ctx, actor, company, params.month, format, publicBaseUrl ?? ownBaseUrl(req));
      const { receipt, verifyUrl } = issued.report;
      return { type: REPORT_TYPES[format], filename: `audit-report-${params.month}.${format}`, body: issued.bytes, headers: { [RECEIPT_HEADER]: receipt, [VERIFY_URL_HEADER]: verifyUrl } };
    },
  );
  // Caches, prefetchers, retries and crawlers repeat GETs freely, and each issue writes evidence; the issued file is
  // not kept, so a GET has nothing to answer but the way to the POST.
  api.refuseMethod({ method: "get", path: "/audit/reports/:month", tag: "audit", allow: "post", reason: "issues nothing: a report is issued, and recorded as evidence, by a POST, and the issued file is not kept to be fetched again" });
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
