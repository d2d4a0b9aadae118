// The anomaly rules' findings for a period (auditor and legal_rep), and their thresholds (set by the legal_rep).
import { z } from "zod";
import { ids } from "../schemas";
import { findAnomalies } from "../../audit/anomalies-findings";
import { setAnomalySettings } from "../../audit/anomalies-settings";
import { RULE_NAMES } from "../../audit/anomalies";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const instant = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC");

const periodQuery = z
  .strictObject({ company: ids.company.optional(), from: instant, to: instant })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["to"] });

const hour = z.number().int().min(0).max(24);
const positive = z.number().int().min(1);

const settingsFields = {
  workStartHour: hour,
  workEndHour: hour,
  utcOffsetMinutes: z.number().int().min(-720).max(840),
  workDays: z.array(z.number().int().min(1).max(7)).max(7),
  burstCount: positive.max(10_000),
  burstWindowMinutes: positive.max(10_080),
  revocationWindowDays: positive.max(366),
  repeatedDocumentCount: z.number().int().min(2).max(10_000),
  dormantGrantDays: positive.max(3_660),
  approverSharePercent: positive.max(100),
  approverMinApprovals: positive.max(100_000),
};

const settingsView = z.strictObject(settingsFields);
const settingsBody = z
  .strictObject(settingsFields)
  .partial()
  .refine((s) => s.workStartHour === undefined || s.workEndHour === undefined || s.workStartHour < s.workEndHour, { message: "workStartHour must be before workEndHour", path: ["workEndHour"] });

const recordRef = z.strictObject({ id: z.string(), seq: z.number().int().nullable(), type: z.string(), at: z.string(), receipt: z.string().nullable() });
const thresholds = z.record(z.string(), z.union([z.number(), z.array(z.number())]));

const findingsView = z.strictObject({
  findings: z.array(
    z.strictObject({ rule: z.enum(RULE_NAMES), severity: z.enum(["warning", "critical"]), key: z.string(), at: z.string(), subject: z.string(), message: z.string(), records: z.array(recordRef) }),
  ),
  rules: z.array(z.strictObject({ rule: z.enum(RULE_NAMES), thresholds })),
  settings: settingsView,
});

export function auditFindingsRoutes(api: Api, ctx: DomainContext): void {
  api.add(
    {
      method: "get", path: "/audit/findings", tag: "audit", auth: "member", query: periodQuery, status: 200, response: findingsView,
      summary: `Anomaly findings of a period [from, to) from the company's evidence records, each citing its records, with every rule's thresholds; critical findings raise an alert once each (${rolesText("audit.findings")})`,
    },
    async ({ actor, query }) => findAnomalies(ctx, actor, query.company, { from: query.from, to: query.to }),
  );
  api.add(
    {
      method: "post", path: "/audit/settings", tag: "audit", auth: "member", body: settingsBody, status: 200, response: settingsView,
      summary: `Sets anomaly-rule thresholds (the fields given; the others keep their current values or defaults), recorded as audit.settings-changed (${rolesText("audit.settings")})`,
    },
    async ({ actor, body }) => setAnomalySettings(ctx, actor, body),
  );
}
