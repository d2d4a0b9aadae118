// Monthly audit reports: a month's summary, reconciliation, anomaly findings and chart series, rendered as JSON,
// XLSX or PDF. The rendered file's SM3 is recorded as audit.report-issued under a fresh receipt id, and the file
// names (the PDF prints the QR of) that receipt, so whoever holds the report can prove it is the one issued.
import { canonicalBytes, sm3, toHex, verifyPageUrl } from "../evidence";
import { draft, recordChange } from "../domain/context";
import { newReceiptId } from "../domain/ids";
import type { Store } from "../domain/schema";
import { evaluateAnomalies, type Finding } from "./anomalies";
import { alertCriticalFindings } from "./anomalies-alerts";
import { RULES } from "./rules";
import { ledgerRows } from "./ledger";
import { reconcileCompany, type Period, type Reconciliation } from "./reconciliation";
import { reportXlsx } from "./report-xlsx";
import { reportPdf } from "./report-pdf";

export const REPORT_FORMAT = "sealproof-audit-report/1";
export type ReportFileFormat = "json" | "xlsx" | "pdf";

export interface DaySeries {
  key: string;
  usages: number[];
  stamps: number[];
}

export interface AuditReport {
  format: typeof REPORT_FORMAT;
  company: { id: string; name: string; creditCode: string };
  month: string;
  period: Period;
  issuedAt: string;
  /** The receipt id of this report's audit.report-issued record, and its verify page. */
  receipt: string;
  verifyUrl: string;
  summary: { records: number; usages: number; stamps: number; stampsUnauthorized: number; approvals: number; approvedUnused: number; findingsWarning: number; findingsCritical: number };
  reconciliation: Reconciliation;
  findings: Finding[];
  /** Usages and stamps per day (index 0 is the month's first day), per seal and per scenario; findings per rule. */
  charts: { days: string[]; bySeal: DaySeries[]; byScenario: DaySeries[]; findingsByRule: Array<{ rule: string; count: number }> };
}

export interface IssuedReport {
  report: AuditReport;
  bytes: Uint8Array;
  reportHash: string;
  recordId: string;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH_RE.test(value);
}

/** [first instant of the month, first instant of the next), UTC. */
export function monthPeriod(month: string): Period {
  const [year, m] = month.split("-").map(Number);
  return { from: new Date(Date.UTC(year, m - 1, 1)).toISOString(), to: new Date(Date.UTC(year, m, 1)).toISOString() };
}

/** The month before the one `now` falls in, as YYYY-MM. */
export function previousMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

/** Builds the report, renders it, and records its SM3 as audit.report-issued by `actor` in one transaction. */
export async function issueReport(
  store: Store, company: string, month: string, fileFormat: ReportFileFormat, options: { actor: string; now: Date; publicBaseUrl: string; onIssued?: (tx: Parameters<Parameters<Store["transaction"]>[0]>[0], recordId: string, report: AuditReport, reportHash: string) => Promise<void> },
): Promise<IssuedReport> {
  const report = await buildReport(store, company, month, options.now, options.publicBaseUrl);
  const bytes = await render(report, fileFormat);
  const reportHash = toHex(sm3(bytes));
  const recordId = await store.transaction(async (tx) => {
    const id = await recordChange(tx, draft("audit.report-issued", options.now, company, company, options.actor, { receipt: report.receipt, month, from: report.period.from, to: report.period.to, format: fileFormat, reportHash }));
    if (options.onIssued) await options.onIssued(tx, id, report, reportHash);
    return id;
  });
  return { report, bytes, reportHash, recordId };
}

async function render(report: AuditReport, fileFormat: ReportFileFormat): Promise<Uint8Array> {
  if (fileFormat === "json") return canonicalBytes(report);
  if (fileFormat === "xlsx") return reportXlsx(report);
  return reportPdf(report);
}

export async function buildReport(store: Store, company: string, month: string, now: Date, publicBaseUrl: string): Promise<AuditReport> {
  const period = monthPeriod(month);
  const registered = await store.companies.get(company);
  const reconciliation = await reconcileCompany(store, company, period);
  const evaluation = await evaluateAnomalies(store, company, period, RULES);
  await alertCriticalFindings(store, company, evaluation.findings, now);
  const charts = await chartSeries(store, company, period);
  const receipt = newReceiptId();
  const total = (pick: (t: Reconciliation["seals"][number]) => number) => reconciliation.seals.reduce((sum, t) => sum + pick(t), 0);
  const byRule = new Map<string, number>();
  for (const finding of evaluation.findings) byRule.set(finding.rule, (byRule.get(finding.rule) ?? 0) + 1);
  return {
    format: REPORT_FORMAT,
    company: { id: company, name: registered?.name ?? "", creditCode: registered?.creditCode ?? "" },
    month, period, issuedAt: now.toISOString(), receipt, verifyUrl: verifyPageUrl(publicBaseUrl, receipt),
    summary: {
      records: reconciliation.records, usages: total((t) => t.usages), stamps: total((t) => t.stampsAuthorized + t.stampsUnauthorized), stampsUnauthorized: total((t) => t.stampsUnauthorized),
      approvals: total((t) => t.approvals), approvedUnused: reconciliation.approvedUnused.length,
      findingsWarning: evaluation.findings.filter((f) => f.severity === "warning").length, findingsCritical: evaluation.findings.filter((f) => f.severity === "critical").length,
    },
    reconciliation,
    findings: evaluation.findings,
    charts: { ...charts, findingsByRule: [...byRule].map(([rule, count]) => ({ rule, count })) },
  };
}

async function chartSeries(store: Store, company: string, period: Period): Promise<{ days: string[]; bySeal: DaySeries[]; byScenario: DaySeries[] }> {
  const days: string[] = [];
  for (let t = Date.parse(period.from); t < Date.parse(period.to); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  const bySeal = new Map<string, DaySeries>();
  const byScenario = new Map<string, DaySeries>();
  const series = (map: Map<string, DaySeries>, key: string) => {
    let s = map.get(key);
    if (s === undefined) map.set(key, (s = { key, usages: days.map(() => 0), stamps: days.map(() => 0) }));
    return s;
  };
  for await (const row of ledgerRows(store, company, period)) {
    const day = days.indexOf(String(row.at).slice(0, 10));
    if (day < 0) continue;
    const field = row.kind === "usage" ? "usages" : "stamps";
    series(bySeal, String(row.seal))[field][day]++;
    series(byScenario, row.scenario === null ? "(none)" : String(row.scenario))[field][day]++;
  }
  const sorted = (map: Map<string, DaySeries>) => [...map.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  return { days, bySeal: sorted(bySeal), byScenario: sorted(byScenario) };
}
