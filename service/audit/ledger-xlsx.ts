// Workbooks (Office Open XML, .xlsx) written as a stream: each sheet's rows are turned into XML and deflated into the
// zip as they come, and the zip's bytes are handed on as they are made, so a sheet of any length never sits in memory.
// Strings are inline (no shared-string table to hold); the first row of each sheet is its header, in bold.
import { Zip, ZipDeflate, strToU8 } from "fflate";
import type { LedgerCell } from "./ledger";

export interface SheetSource {
  name: string;
  columns: readonly string[];
  rows: AsyncIterable<readonly LedgerCell[]> | Iterable<readonly LedgerCell[]>;
}

/** Rows deflated before the zip's output is handed on: enough to keep deflate efficient, small enough to stay bounded. */
const ROWS_PER_FLUSH = 200;

export async function* xlsxChunks(sheets: readonly SheetSource[]): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    out.push(chunk);
  });
  const drain = function* (): Generator<Uint8Array> {
    yield* out.splice(0);
  };
  const file = (name: string, content: string) => {
    const entry = new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    entry.push(strToU8(content), true);
  };
  file("[Content_Types].xml", contentTypes(sheets.length));
  file("_rels/.rels", ROOT_RELS);
  file("xl/workbook.xml", workbook(sheets));
  file("xl/_rels/workbook.xml.rels", workbookRels(sheets.length));
  file("xl/styles.xml", STYLES);
  yield* drain();
  for (const [index, sheet] of sheets.entries()) {
    const entry = new ZipDeflate(`xl/worksheets/sheet${index + 1}.xml`, { level: 6 });
    zip.add(entry);
    let pending = `${XML_HEAD}<worksheet xmlns="${MAIN_NS}"><sheetData>${row(sheet.columns, 1)}`;
    let count = 0;
    for await (const cells of sheet.rows) {
      pending += row(cells, 0);
      if (++count % ROWS_PER_FLUSH === 0) {
        entry.push(strToU8(pending));
        pending = "";
        yield* drain();
      }
    }
    entry.push(strToU8(`${pending}</sheetData></worksheet>`), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

function row(cells: readonly LedgerCell[], style: number): string {
  return `<row>${cells.map((value) => cell(value, style)).join("")}</row>`;
}

function cell(value: LedgerCell, style: number): string {
  const s = style === 0 ? "" : ` s="${style}"`;
  if (value === null) return `<c${s}/>`;
  if (typeof value === "number" && Number.isFinite(value)) return `<c${s}><v>${value}</v></c>`;
  if (typeof value === "boolean") return `<c t="b"${s}><v>${value ? 1 : 0}</v></c>`;
  return `<c t="inlineStr"${s}><is><t xml:space="preserve">${escapeXml(String(value))}</t></is></c>`;
}

export function escapeXml(text: string): string {
  // Characters XML 1.0 does not allow at all are dropped; the five special ones are escaped.
  return text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "").replace(/[<>&"']/g, (c) => XML_ESCAPES[c] ?? c);
}

const XML_ESCAPES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" };
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships";

function contentTypes(sheets: number): string {
  const overrides = Array.from({ length: sheets }, (_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("");
  return `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>${overrides}</Types>`;
}

const ROOT_RELS = `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

function workbook(sheets: readonly SheetSource[]): string {
  const list = sheets.map((s, i) => `<sheet name="${escapeXml(s.name.slice(0, 31))}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("");
  return `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>${list}</sheets></workbook>`;
}

function workbookRels(sheets: number): string {
  const list = Array.from({ length: sheets }, (_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("");
  return `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">${list}<Relationship Id="rId${sheets + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`;
}

// Style 0 is plain, style 1 bold (the header row).
const STYLES = `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`;
