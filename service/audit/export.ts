// The audit bundle of one company's records (or of the whole log), produced a line at a time: whoever writes the lines
// out pulls the next one only when the last is written, so an export of a million records never sits in memory.
import { assembleReceipt, type EvidenceRecord, type ReceiptBundle } from "../evidence";
import type { Store, StoredBatch } from "../store/port";
import { AUDIT_FORMAT, headerLine, line, WHOLE_LOG, type AuditHeader, type AuditRange } from "./bundle";

export interface AuditExportRequest {
  /** A company id, or WHOLE_LOG for every record of the log (the operator's export). */
  company: string;
  range: AuditRange | { by: "all" };
  /** The deployment the service anchors in, named in the header for people; verifiers pin their own. */
  deployment: { chainId: number; contract: string } | null;
  now: Date;
}

/** What the exporter reads: a company's records in seq order, its registrations, batches and proofs. */
export type ExportSource = Pick<Store, "records" | "batches">;

const PAGE = 1000;

/**
 * The bundle's lines. Records come in cseq order (a company's seq order); the range is a contiguous run of them: by
 * cseq, or by time from the first record whose `at` is at or after `from` up to the first at or after `to`. When the
 * run starts after the company's first record, the receipt of the record before it comes first, so a verifier links
 * the run to an anchored predecessor. Records not anchored yet end the receipts and are counted in the end line.
 */
export async function* auditBundleLines(source: ExportSource, request: AuditExportRequest): AsyncGenerator<string> {
  const header: AuditHeader = {
    format: AUDIT_FORMAT,
    company: request.company,
    range: request.range,
    chainId: request.deployment?.chainId ?? null,
    contract: request.deployment?.contract ?? null,
    exportedAt: request.now.toISOString(),
  };
  yield headerLine(header);
  const receipts = new ReceiptReader(source);
  const needed = new Registrations();
  const inRange = rangeTest(request.range);
  let before: EvidenceRecord | null = null;
  let started = false;
  let count = 0;
  let pending = 0;
  for await (const [record, cseq] of companyRecords(source, request.company)) {
    const verdict = inRange(record, cseq, started);
    if (verdict === "before") {
      before = record;
      continue;
    }
    if (verdict === "after") break;
    if (!started && before !== null && request.company !== WHOLE_LOG) {
      const predecessor = await receipts.of(before);
      if (predecessor !== null) yield line({ predecessor });
    }
    started = true;
    const receipt = pending > 0 ? null : await receipts.of(record);
    if (receipt === null) {
      pending++;
      continue;
    }
    needed.note(record);
    count++;
    yield line(receipt);
  }
  let registrations = 0;
  for (const registration of needed.wanted()) {
    const receipt = await registrationReceipt(source, receipts, registration);
    if (receipt === null) continue;
    registrations++;
    yield line({ registration: receipt });
  }
  yield line({ end: { receipts: count, pending, registrations } });
}

/** A company's sequenced records with their cseq (counted for v1 records, which carry none), in seq order. */
async function* companyRecords(source: ExportSource, company: string): AsyncGenerator<[EvidenceRecord, number]> {
  const counted = new Map<string, number>();
  let fromSeq = 0;
  for (;;) {
    const page = await source.records.list({ company: company === WHOLE_LOG ? undefined : company, fromSeq, limit: PAGE });
    for (const record of page) {
      const cseq = record.v === 2 ? record.cseq : (counted.get(record.company) ?? 0);
      counted.set(record.company, cseq + 1);
      yield [record, cseq];
    }
    if (page.length < PAGE) return;
    fromSeq = page[page.length - 1].seq + 1;
  }
}

type Placement = "before" | "in" | "after";

function rangeTest(range: AuditExportRequest["range"]): (record: EvidenceRecord, cseq: number, started: boolean) => Placement {
  if (range.by === "all") return () => "in";
  if (range.by === "cseq") {
    return (_record, cseq) => (range.from !== null && cseq < range.from ? "before" : range.to !== null && cseq > range.to ? "after" : "in");
  }
  return (record, _cseq, started) => {
    if (!started && range.from !== null && record.at < range.from) return "before";
    if (range.to !== null && record.at >= range.to) return started ? "after" : "before";
    return "in";
  };
}

/** Receipts from the store, the batch read once for all of its records. */
class ReceiptReader {
  private batch: StoredBatch | null = null;

  constructor(private readonly source: ExportSource) {}

  /** The record's receipt, or null while its batch is not anchored. */
  async of(record: EvidenceRecord): Promise<ReceiptBundle | null> {
    const batch = await this.batchOf(record.seq);
    if (batch === null || batch.anchor === null) return null;
    const proof = await this.source.batches.proof(record.seq);
    if (proof === null) throw new Error(`batch ${batch.id} holds seq ${record.seq} but no proof is stored for it`);
    const { chainId, contract, txHash, blockNumber } = batch.anchor;
    return assembleReceipt(
      record,
      { leafIndex: record.seq - batch.firstSeq, treeSize: batch.count, leaf: proof.leaf, path: proof.path },
      { id: batch.id, root: batch.root, firstSeq: batch.firstSeq, count: batch.count },
      { chainId, contract, txHash, blockNumber },
    );
  }

  private async batchOf(seq: number): Promise<StoredBatch | null> {
    const cached = this.batch;
    if (cached !== null && seq >= cached.firstSeq && seq < cached.firstSeq + cached.count && cached.anchor !== null) return cached;
    this.batch = await this.source.batches.forSeq(seq);
    return this.batch;
  }
}

type Registration = { company: string; type: "company.registered" | "seal.registered" | "device.registered"; subject: string };

/** The registrations the exported records' signatures (and the company's name) are checked against. */
class Registrations {
  private readonly seen = new Map<string, Registration>();

  note(record: EvidenceRecord): void {
    this.add({ company: record.company, type: "company.registered", subject: record.company });
    if (record.type === "seal.used") this.add({ company: record.company, type: "seal.registered", subject: record.subject });
    if (record.type === "seal.stamped" && typeof record.data.device === "string") this.add({ company: record.company, type: "device.registered", subject: record.data.device });
  }

  wanted(): Registration[] {
    return [...this.seen.values()];
  }

  private add(registration: Registration): void {
    const key = `${registration.type} ${registration.company} ${registration.subject}`;
    if (!this.seen.has(key)) this.seen.set(key, registration);
  }
}

async function registrationReceipt(source: ExportSource, receipts: ReceiptReader, { company, type, subject }: Registration): Promise<ReceiptBundle | null> {
  const { items } = await source.records.page({ company, type, subject }, { limit: 1 });
  const record = items[0]?.record;
  if (record === undefined || record.seq === null) return null;
  return receipts.of(record);
}
