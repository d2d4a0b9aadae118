// For auditors (and the legal representative): a month's reconciliation and anomaly findings, and the monthly report
// issued as PDF, XLSX or JSON and downloaded; each issue is recorded as evidence under the receipt the file carries.
import type { ScreenContext } from "../screen";
import { actions, badge, button, card, facts, field, h, input, list, time, verifyLink } from "../ui";

interface Tally {
  approvals: number;
  usages: number;
  stampsAuthorized: number;
  stampsUnauthorized: number;
}

interface Reconciliation {
  seals: Array<Tally & { seal: string }>;
  approvedUnused: Array<{ request: string }>;
  usagesWithoutRequiredRequest: { count: number; holds: boolean };
  devices: Array<{ device: string; unheardOf: number }>;
  records: number;
}

interface Findings {
  findings: Array<{ rule: string; severity: "warning" | "critical"; at: string; message: string }>;
}

/** The month before this one, as YYYY-MM: the report an auditor most often wants. */
function lastMonth(): string {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

function periodOf(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number);
  return { from: new Date(Date.UTC(y, m - 1, 1)).toISOString(), to: new Date(Date.UTC(y, m, 1)).toISOString() };
}

/** #/audit/<YYYY-MM>; without a month, last month's. */
export async function auditScreen(c: ScreenContext, param: string | null): Promise<Node[]> {
  const { w } = c;
  const month = param !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(param) ? param : lastMonth();
  const { from, to } = periodOf(month);
  const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const [reconciliation, findings] = await Promise.all([
    c.can("audit.reconcile") ? c.api.get<Reconciliation>(`/audit/reconciliation?${query}`) : Promise.resolve(null),
    c.can("audit.findings") ? c.api.get<Findings>(`/audit/findings?${query}`) : Promise.resolve(null),
  ]);
  const picker = input({ type: "month", name: "month", value: month, max: new Date().toISOString().slice(0, 7), "data-testid": "audit-month" });
  picker.addEventListener("change", () => {
    if (/^\d{4}-\d{2}$/.test(picker.value)) c.go(`#/audit/${picker.value}`);
  });
  const out: Node[] = [card(null, field(w.month, picker))];
  if (c.can("audit.report")) out.push(reportCard(c, month));
  if (reconciliation) out.push(reconciliationCard(c, reconciliation));
  if (findings) {
    const items = findings.findings.map((f) => h("article", { class: "item" }, h("h3", {}, (w.rules as Record<string, string>)[f.rule] ?? f.rule, " ", badge(w.severities[f.severity], f.severity === "critical" ? "bad" : "warn")), h("p", {}, f.message), h("p", { class: "hint" }, time(c.lang, f.at))));
    out.push(card(w.findings, list(items, w.noFindings)));
  }
  return out;
}

function reportCard(c: ScreenContext, month: string): HTMLElement {
  const { w } = c;
  const issued = h("div", { role: "status", "aria-live": "polite" });
  const download = (format: "pdf" | "xlsx" | "json") => async () => {
    issued.textContent = w.reportIssuing;
    try {
      const file = await c.api.download(`/audit/reports/${month}?format=${format}`);
      const url = URL.createObjectURL(file.bytes);
      const a = h("a", { href: url, download: file.filename }, file.filename);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      issued.replaceChildren(h("p", {}, w.reportIssued(file.filename)), file.receipt ? h("p", {}, w.receiptId, " ", verifyLink(file.receipt)) : "");
    } catch (err) {
      issued.textContent = "";
      await c.refused(err);
    }
  };
  return card(
    w.monthlyReport,
    h("p", {}, w.reportText),
    actions(
      button(w.downloadPdf, () => void download("pdf")(), { class: "primary", "data-testid": "report-pdf" }),
      button(w.downloadXlsx, () => void download("xlsx")(), { "data-testid": "report-xlsx" }),
      button(w.downloadJson, () => void download("json")(), { "data-testid": "report-json" }),
    ),
    issued,
  );
}

function reconciliationCard(c: ScreenContext, r: Reconciliation): HTMLElement {
  const { w } = c;
  const total = (key: keyof Tally) => r.seals.reduce((sum, s) => sum + s[key], 0);
  return card(
    w.reconciliation,
    facts([
      [w.approvals, String(total("approvals"))],
      [w.usagesCount, String(total("usages"))],
      [w.stampsAuthorized, String(total("stampsAuthorized"))],
      [w.stampsUnauthorized, String(total("stampsUnauthorized"))],
      [w.approvedUnused, String(r.approvedUnused.length)],
      [w.usagesWithoutRequest, h("span", {}, String(r.usagesWithoutRequiredRequest.count), " ", badge(r.usagesWithoutRequiredRequest.holds ? w.holds : w.broken, r.usagesWithoutRequiredRequest.holds ? "ok" : "bad"))],
      [w.stampsUnheardOf, String(r.devices.reduce((sum, d) => sum + d.unheardOf, 0))],
      [w.recordsRead, String(r.records)],
    ]),
  );
}
