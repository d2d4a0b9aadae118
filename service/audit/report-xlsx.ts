// A monthly report as an XLSX workbook: summary, reconciliation per seal and scenario, findings, and the chart series.
import { xlsxChunks, type SheetSource } from "./ledger-xlsx";
import type { AuditReport } from "./report";

export async function reportXlsx(report: AuditReport): Promise<Uint8Array> {
  const r = report.reconciliation;
  const sheets: SheetSource[] = [
    {
      name: "summary", columns: ["item", "value"],
      rows: [
        ["company", report.company.id], ["name", report.company.name], ["creditCode", report.company.creditCode], ["month", report.month], ["from", report.period.from], ["to", report.period.to],
        ["issuedAt", report.issuedAt], ["receipt", report.receipt], ["verifyUrl", report.verifyUrl],
        ...Object.entries(report.summary), ["usagesWithoutRequiredRequest", r.usagesWithoutRequiredRequest.count],
      ],
    },
    {
      name: "seals", columns: ["seal", "approvals", "usages", "stampsAuthorized", "stampsUnauthorized", "authorizationsOpened", "exhausted", "expired", "withdrawn", "open"],
      rows: r.seals.map((t) => [t.seal, t.approvals, t.usages, t.stampsAuthorized, t.stampsUnauthorized, t.authorizations.opened, t.authorizations.exhausted, t.authorizations.expired, t.authorizations.withdrawn, t.authorizations.open]),
    },
    { name: "scenarios", columns: ["scenario", "approvals", "usages", "stampsAuthorized", "stampsUnauthorized"], rows: r.scenarios.map((t) => [t.scenario, t.approvals, t.usages, t.stampsAuthorized, t.stampsUnauthorized]) },
    { name: "approvedUnused", columns: ["request", "seal", "scenario", "approvedAt"], rows: r.approvedUnused.map((u) => [u.request, u.seal, u.scenario, u.approvedAt]) },
    { name: "devices", columns: ["device", "seal", "firstStampNo", "lastStampNo", "stampsRecorded", "unheardOf"], rows: r.devices.map((d) => [d.device, d.seal, d.firstStampNo, d.lastStampNo, d.stampsRecorded, d.unheardOf]) },
    { name: "findings", columns: ["rule", "severity", "at", "subject", "message", "records"], rows: report.findings.map((f) => [f.rule, f.severity, f.at, f.subject, f.message, f.records.map((ref) => ref.receipt ?? ref.seq ?? ref.id).join(" ")]) },
    { name: "perDaySeal", columns: ["seal", "kind", ...report.charts.days], rows: report.charts.bySeal.flatMap((s) => [[s.key, "usages", ...s.usages], [s.key, "stamps", ...s.stamps]]) },
    { name: "perDayScenario", columns: ["scenario", "kind", ...report.charts.days], rows: report.charts.byScenario.flatMap((s) => [[s.key, "usages", ...s.usages], [s.key, "stamps", ...s.stamps]]) },
  ];
  const chunks: Uint8Array[] = [];
  for await (const chunk of xlsxChunks(sheets)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
