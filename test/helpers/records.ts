// Reading the evidence log in tests as a member would after a batch interval: the sequencer (the batcher's first
// step, run here through the store as the batcher runs it) numbers what was accepted, then records are read by seq.
import type { EvidenceRecord } from "../../service/evidence";
import type { Store } from "../../service/store/port";
import { sequenceAll } from "../store/fixtures";

/** Sequences every waiting record and returns the log's length: a mark to read the records after it from. */
export async function logMark(store: Store): Promise<number> {
  await sequenceAll(store);
  return store.records.count();
}

/** A company's records accepted since `mark` (from logMark), in sequence order, once sequenced. */
export async function recordsSince(store: Store, company: string, mark = 0): Promise<EvidenceRecord[]> {
  await sequenceAll(store);
  return store.records.list({ company, fromSeq: mark, limit: 10_000 });
}
