// A ledger as CSV (RFC 4180): a header line of column names, then one line per row, CRLF line ends, a UTF-8 byte
// order mark first so that spreadsheet programs read Chinese text as UTF-8.
import type { LedgerCell } from "./ledger";

const BOM = "\uFEFF";

export async function* csvLines(columns: readonly string[], rows: AsyncIterable<readonly LedgerCell[]>): AsyncGenerator<string> {
  yield `${BOM}${columns.map(csvCell).join(",")}\r\n`;
  for await (const row of rows) yield `${row.map(csvCell).join(",")}\r\n`;
}

export function csvCell(value: LedgerCell): string {
  if (value === null) return "";
  const text = String(value);
  // A cell starting with = + - @ would be run as a formula by a spreadsheet program (CSV injection): quote it as text.
  const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) || guarded !== text ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}
