// Who may read a ledger and in which format: the company's auditor or legal representative, their own company only;
// refusals happen here, before the first byte is written.
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import type { Actor, DomainContext } from "../domain/context";
import { LEDGER_COLUMNS, ledgerRows, type LedgerCell } from "./ledger";
import { csvLines } from "./ledger-csv";
import { xlsxChunks } from "./ledger-xlsx";
import type { Period } from "./reconciliation";

export type LedgerFormat = "csv" | "xlsx";

export function companyLedger(ctx: DomainContext, actor: Actor, company: string | undefined, period: Period, format: LedgerFormat): AsyncIterable<string | Uint8Array> {
  requirePower(actor, "audit.ledger");
  if (company !== undefined && company !== actor.company) refuse("NOT_FOUND", `no company ${company}`);
  const rows = cells(ledgerRows(ctx.store, actor.company, period));
  return format === "csv" ? csvLines(LEDGER_COLUMNS, rows) : xlsxChunks([{ name: "ledger", columns: LEDGER_COLUMNS, rows }]);
}

async function* cells(rows: ReturnType<typeof ledgerRows>): AsyncGenerator<LedgerCell[]> {
  for await (const row of rows) yield LEDGER_COLUMNS.map((column) => row[column]);
}
