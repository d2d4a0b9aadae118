// A monthly report as PDF, drawn with pdf-lib (no browser): Chinese text in Noto Sans SC (the font ships in an npm
// package and is embedded as a subset), the QR of the report's receipt on the first page, tables and bar charts.
import fs from "node:fs";
import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, rgb, type PDFFont, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";
import type { AuditReport } from "./report";

const FONT_PATH = require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf");
const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const LINE = 15;
const INK = rgb(0.1, 0.1, 0.1);
const GREY = rgb(0.45, 0.45, 0.45);
const USAGE_COLOUR = rgb(0.16, 0.38, 0.7);
const STAMP_COLOUR = rgb(0.8, 0.15, 0.15);

let fontBytes: Buffer | null = null;

/** Writes top to bottom, starting a new page when the next line would not fit. */
class Writer {
  page: PDFPage;
  y: number;

  constructor(
    private readonly pdf: PDFDocument,
    readonly font: PDFFont,
  ) {
    this.page = pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  room(height: number): void {
    if (this.y - height >= MARGIN) return;
    this.page = this.pdf.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  text(value: string, options: { size?: number; x?: number; colour?: typeof INK } = {}): void {
    const size = options.size ?? 10;
    this.room(size + 5);
    this.page.drawText(value, { x: options.x ?? MARGIN, y: this.y - size, size, font: this.font, color: options.colour ?? INK });
    this.y -= size + 5;
  }

  heading(value: string): void {
    this.room(60);
    this.y -= 8;
    this.text(value, { size: 14 });
    this.page.drawLine({ start: { x: MARGIN, y: this.y + 2 }, end: { x: A4[0] - MARGIN, y: this.y + 2 }, thickness: 0.5, color: GREY });
    this.y -= 4;
  }

  table(columns: string[], rows: Array<Array<string | number | null>>, widths: number[]): void {
    const draw = (cells: Array<string | number | null>, colour: typeof INK) => {
      this.room(LINE);
      let x = MARGIN;
      cells.forEach((cell, i) => {
        this.page.drawText(fit(this.font, String(cell ?? "—"), 8.5, widths[i] - 4), { x, y: this.y - 9, size: 8.5, font: this.font, color: colour });
        x += widths[i];
      });
      this.y -= LINE;
    };
    draw(columns, GREY);
    for (const row of rows) draw(row, INK);
  }
}

export async function reportPdf(report: AuditReport): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  fontBytes ??= fs.readFileSync(FONT_PATH);
  const font = await pdf.embedFont(fontBytes, { subset: true });
  pdf.setTitle(`用章审计月报 ${report.month}`);
  pdf.setCreator("sealproof");
  // Fixed dates: the file's bytes depend on the report alone.
  pdf.setCreationDate(new Date(report.issuedAt));
  pdf.setModificationDate(new Date(report.issuedAt));
  const w = new Writer(pdf, font);

  const qr = await pdf.embedPng(await QRCode.toBuffer(report.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 2, scale: 4 }));
  const qrSize = 96;
  w.page.drawImage(qr, { x: A4[0] - MARGIN - qrSize, y: A4[1] - MARGIN - qrSize, width: qrSize, height: qrSize });
  w.page.drawText(`验证回执 ${report.receipt}`, { x: A4[0] - MARGIN - qrSize - 40, y: A4[1] - MARGIN - qrSize - 11, size: 6.5, font, color: GREY });

  w.text(`用章审计月报  ${report.month}`, { size: 20 });
  w.text(`企业：${report.company.name}`, { size: 11 });
  w.text(`统一社会信用代码：${report.company.creditCode}`, { size: 10 });
  w.text(`期间：${report.period.from} 至 ${report.period.to}（不含）`, { size: 9, colour: GREY });
  w.text(`出具时间：${report.issuedAt}`, { size: 9, colour: GREY });
  w.text("本报告的 SM3 摘要已作为 audit.report-issued 记录存证并锚定上链；扫描二维码即可核验。", { size: 8.5, colour: GREY });
  w.y = Math.min(w.y, A4[1] - MARGIN - qrSize - 24);

  const s = report.summary;
  w.heading("一、概要 Summary");
  w.table(["项目", "数量"], [
    ["电子用章 usages", s.usages], ["实体盖章 stamps", s.stamps], ["其中未授权 unauthorized", s.stampsUnauthorized], ["审批 approvals", s.approvals],
    ["已批未用 approved, unused", s.approvedUnused], ["异常（警告/严重）findings", `${s.findingsWarning} / ${s.findingsCritical}`], ["期间记录数 records", s.records],
  ], [260, 120]);

  const r = report.reconciliation;
  w.heading("二、对账 Reconciliation");
  w.text(r.usagesWithoutRequiredRequest.holds ? "【通过】无缺少必需申请的用章（usages without a required request: none）" : `【不符】缺少必需申请的用章 ${r.usagesWithoutRequiredRequest.count} 次：${r.usagesWithoutRequiredRequest.receipts.join(" ")}`, { size: 9 });
  w.text("按印章 By seal", { size: 10 });
  w.table(["印章 seal", "审批", "用章", "盖章", "未授权", "授权开/用尽/过期/撤回/未结"], r.seals.map((t) => [t.seal, t.approvals, t.usages, t.stampsAuthorized, t.stampsUnauthorized, `${t.authorizations.opened}/${t.authorizations.exhausted}/${t.authorizations.expired}/${t.authorizations.withdrawn}/${t.authorizations.open}`]), [150, 45, 45, 45, 50, 160]);
  w.text("按场景 By scenario", { size: 10 });
  w.table(["场景 scenario", "审批", "用章", "盖章", "未授权"], r.scenarios.map((t) => [t.scenario, t.approvals, t.usages, t.stampsAuthorized, t.stampsUnauthorized]), [150, 60, 60, 60, 60]);
  if (r.devices.length > 0) {
    w.text("智能印章计数器 Device counters", { size: 10 });
    w.table(["设备 device", "首号", "末号", "已记录", "未上报"], r.devices.map((d) => [d.device, d.firstStampNo, d.lastStampNo, d.stampsRecorded, d.unheardOf]), [150, 60, 60, 60, 60]);
  }

  w.heading("三、异常发现 Findings");
  if (report.findings.length === 0) w.text("本期无异常发现。No findings this month.", { size: 9 });
  else w.table(["规则 rule", "级别", "时间", "说明 message"], report.findings.map((f) => [f.rule, f.severity === "critical" ? "严重" : "警告", f.at.slice(0, 16), f.message]), [110, 35, 85, 270]);

  w.heading("四、图表 Charts");
  w.text("每日用章（蓝）与盖章（红），按印章 Usages and stamps per day, by seal", { size: 9 });
  for (const series of report.charts.bySeal) barChart(w, series.key, report.charts.days, series.usages, series.stamps);
  w.text("每日用章与盖章，按场景 By scenario", { size: 9 });
  for (const series of report.charts.byScenario) barChart(w, series.key, report.charts.days, series.usages, series.stamps);
  if (report.charts.bySeal.length === 0) w.text("本期无用章或盖章。", { size: 9 });

  return pdf.save({ useObjectStreams: false });
}

function barChart(w: Writer, title: string, days: string[], usages: number[], stamps: number[]): void {
  const height = 70;
  w.room(height + 30);
  w.text(title, { size: 8.5, colour: GREY });
  const width = A4[0] - 2 * MARGIN;
  const slot = width / days.length;
  const max = Math.max(1, ...usages, ...stamps);
  const base = w.y - height;
  w.page.drawLine({ start: { x: MARGIN, y: base }, end: { x: MARGIN + width, y: base }, thickness: 0.5, color: GREY });
  days.forEach((day, i) => {
    const x = MARGIN + i * slot;
    const bar = Math.max(1, slot / 2 - 1);
    if (usages[i] > 0) w.page.drawRectangle({ x, y: base, width: bar, height: (usages[i] / max) * height, color: USAGE_COLOUR });
    if (stamps[i] > 0) w.page.drawRectangle({ x: x + bar, y: base, width: bar, height: (stamps[i] / max) * height, color: STAMP_COLOUR });
    if (i % 5 === 0) w.page.drawText(day.slice(8), { x, y: base - 8, size: 6, font: w.font, color: GREY });
  });
  w.page.drawText(`max ${max}`, { x: MARGIN + width - 30, y: w.y - 7, size: 6, font: w.font, color: GREY });
  w.y = base - 14;
}

/** The text cut with an ellipsis to fit `width` points. */
function fit(font: PDFFont, text: string, size: number, width: number): string {
  if (font.widthOfTextAtSize(text, size) <= width) return text;
  let cut = text;
  while (cut.length > 1 && font.widthOfTextAtSize(`${cut}…`, size) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
