// Reading the company's own evidence log: one rule for paging and for single records, so that whoever may
// not page through the log cannot read it one seq at a time either.
import { refuse } from "./errors";
import { requirePower } from "./policy";
import type { Actor, DomainContext } from "./context";
import type { EvidenceRecord } from "../evidence";
import type { LoggedRecord } from "../store/port";

export async function getRecord(ctx: DomainContext, actor: Actor, seq: number): Promise<EvidenceRecord> {
  requirePower(actor, "records.read");
  const record = await ctx.store.records.get(seq);
  if (record === null || record.company !== actor.company) refuse("NOT_FOUND", `no record ${seq}`);
  return record;
}

export async function listRecords(ctx: DomainContext, actor: Actor, fromSeq: number, limit: number): Promise<{ records: EvidenceRecord[]; nextFromSeq: number | null }> {
  requirePower(actor, "records.read");
  const records = await ctx.store.records.list({ company: actor.company, fromSeq, limit });
  return { records, nextFromSeq: records.length === limit ? records[records.length - 1].seq + 1 : null };
}

/** A record by the id it was given when accepted: how a writer finds it before the sequencer gives it a seq. */
export async function getRecordById(ctx: DomainContext, actor: Actor, id: string): Promise<LoggedRecord> {
  requirePower(actor, "records.read");
  const logged = await ctx.store.records.byId(id);
  if (logged === null || logged.record.company !== actor.company) refuse("NOT_FOUND", `no record ${id}`);
  return logged;
}
