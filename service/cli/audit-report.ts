// `sealproof audit report`: a client of POST /api/v1/audit/reports/:month that writes the month's report to a file
// (its format from the file's extension) and prints the receipt id and verify link its SM3 is recorded under.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { RECEIPT_HEADER, VERIFY_URL_HEADER } from "../http/routes/audit-reports";
import { ApiCallError, fetchOk } from "./http-client";
import { CliUsageError } from "./command";

export const REPORT_HELP = `Usage: sealproof audit report --month YYYY-MM --out FILE.pdf|FILE.xlsx|FILE.json [--url URL] [--key KEY]

Issues the company's audit report of a month (summary, reconciliation, anomaly findings, charts) and writes it to
FILE, as PDF, XLSX or JSON by FILE's extension. The report's SM3 is recorded as an audit.report-issued record: its
receipt id and verify link are printed, and the PDF carries them as a QR, so whoever holds the file can check it.
Each run issues a new report under a receipt of its own; the service keeps no copy of the file, so keep the one
written here.

  --month YYYY-MM   the month, UTC (2026-11: from 2026-11-01T00:00:00Z up to 2026-12-01T00:00:00Z)
  --out FILE        where to write the report; its extension (.pdf, .xlsx, .json) chooses the format
  --url URL         the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --key KEY         an API key of an auditor or the legal representative (default: $SEALPROOF_API_KEY)
  -h, --help        show this help`;

const FORMATS = { ".pdf": "pdf", ".xlsx": "xlsx", ".json": "json" } as const;
const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

export async function auditReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { month: { type: "string" }, out: { type: "string" }, url: { type: "string" }, key: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CliUsageError(`unexpected arguments: ${positionals.join(" ")}`);
  if (values.month === undefined || !MONTH_RE.test(values.month)) throw new CliUsageError(`give --month YYYY-MM${values.month === undefined ? "" : `, got "${values.month}"`}`);
  if (values.out === undefined) throw new CliUsageError("give --out FILE.pdf, FILE.xlsx or FILE.json");
  const extension = path.extname(values.out).toLowerCase();
  if (!Object.hasOwn(FORMATS, extension)) throw new CliUsageError(`--out ${values.out}: the extension chooses the format, one of .pdf, .xlsx, .json`);
  const format = FORMATS[extension as keyof typeof FORMATS];
  const key = values.key ?? process.env.SEALPROOF_API_KEY;
  if (!key) throw new CliUsageError("give --key KEY (or $SEALPROOF_API_KEY): an API key of an auditor or the legal representative");
  const url = new URL(`/api/v1/audit/reports/${values.month}`, values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080");

  const res = await fetchOk(url, key, { body: { format } });
  const receipt = res.headers.get(RECEIPT_HEADER);
  const verifyUrl = res.headers.get(VERIFY_URL_HEADER);
  if (receipt === null || verifyUrl === null) throw new ApiCallError(res.status, "NO_RECEIPT", `${url.origin} answered without the ${RECEIPT_HEADER} and ${VERIFY_URL_HEADER} headers: an older service?`);
  const out = path.resolve(values.out);
  fs.writeFileSync(out, new Uint8Array(await res.arrayBuffer()));
  console.log(`wrote the ${values.month} audit report (${format}) to ${out}`);
  console.log(`receipt: ${receipt}`);
  console.log(`verify:  ${verifyUrl}`);
  return 0;
}
