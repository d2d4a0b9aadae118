// Reconciliation of a period, read from the company's evidence records (auditor and legal_rep).
import { z } from "zod";
import { ids } from "../schemas";
import { reconcile } from "../../audit/reconciliation";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const instant = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC");

const periodQuery = z
  .strictObject({ company: ids.company.optional(), from: instant, to: instant })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["to"] });

const tally = { approvals: z.number().int(), usages: z.number().int(), stampsAuthorized: z.number().int(), stampsUnauthorized: z.number().int() };

const reconciliationView = z.strictObject({
  company: ids.company,
  period: z.strictObject({ from: z.string(), to: z.string() }),
  seals: z.array(
    z.strictObject({
      seal: z.string(),
      ...tally,
      authorizations: z.strictObject({ opened: z.number().int(), exhausted: z.number().int(), expired: z.number().int(), withdrawn: z.number().int(), open: z.number().int() }),
    }),
  ),
  scenarios: z.array(z.strictObject({ scenario: z.string(), ...tally })),
  approvedUnused: z.array(z.strictObject({ request: z.string(), seal: z.string().nullable(), scenario: z.string().nullable(), approvedAt: z.string() })),
  usagesWithoutRequiredRequest: z.strictObject({ count: z.number().int(), holds: z.boolean(), receipts: z.array(z.string()) }),
  devices: z.array(
    z.strictObject({
      device: z.string(), seal: z.string(), firstStampNo: z.number().int().nullable(), lastStampNo: z.number().int().nullable(), stampsRecorded: z.number().int(), unheardOf: z.number().int(),
    }),
  ),
  records: z.number().int(),
});

export function auditReconciliationRoutes(api: Api, ctx: DomainContext): void {
  api.add(
    {
      method: "get", path: "/audit/reconciliation", tag: "audit", auth: "member", query: periodQuery, status: 200, response: reconciliationView,
      summary: `Reconciliation of a period [from, to) from the company's evidence records: per seal and scenario the approvals, usages and stamps, the device authorizations opened and how they ended, approved requests nothing used, usages without a request their scenario required (must be none), and each smart seal's stamp counter against the stamps recorded (${rolesText("audit.reconcile")})`,
    },
    async ({ actor, query }) => reconcile(ctx, actor, query.company, { from: query.from, to: query.to }),
  );
}
