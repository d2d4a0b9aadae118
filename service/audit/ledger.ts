// The ledger of a period: one row per usage and per stamp of the company, in time order, with the approval chain
// behind it (request, who asked, who approved at what level, custody confirmations, the device authorization), read
// from the evidence log alone. Rows are produced one page of records at a time; lookups are cached, and the caches
// are bounded, so a ledger of any length is never held in memory.
import type { EvidenceRecord } from "../evidence";
import type { PendingRecord, RecordFilter, Store } from "../store/port";
import type { Period } from "./reconciliation";
import { companyRecords } from "./log-pages";

type LoggedEvidence = EvidenceRecord | PendingRecord;

export type LedgerCell = string | number | boolean | null;

/** The columns of a ledger, in order; each row has one value per column. */
export const LEDGER_COLUMNS = [
  "at", "kind", "seq", "cseq", "receipt", "seal", "scenario", "request", "requestedBy", "requestedAt", "approvedBy", "approverRole", "approvedAt",
  "custodian", "custodianConfirmedAt", "reviewer", "reviewerConfirmedAt", "authorization", "device", "stampNo", "authorized", "reasons", "actor", "documentHash",
] as const;

export type LedgerColumn = (typeof LEDGER_COLUMNS)[number];
export type LedgerRow = Record<LedgerColumn, LedgerCell>;

/** The request behind a usage or stamp as its records tell it. */
interface RequestChain {
  scenario: string | null;
  requestedBy: string | null;
  requestedAt: string | null;
  approvedBy: string | null;
  approverRole: string | null;
  approvedAt: string | null;
  custody: Map<string, { by: string; at: string }>;
}

const PAGE = 500;
/** At most this many requests' and devices' facts are kept at once; a ledger revisits few of them anyway. */
const CACHE_LIMIT = 5_000;

export async function* ledgerRows(store: Store, company: string, period: Period): AsyncGenerator<LedgerRow> {
  const log = new LedgerLog(store, company);
  for await (const record of log.records({ company, from: period.from, to: period.to })) {
    if (record.type === "seal.used") yield await log.usageRow(record);
    else if (record.type === "seal.stamped") yield await log.stampRow(record);
  }
}

class LedgerLog {
  private readonly requests = new BoundedCache<RequestChain>();
  /** Per device: its authorizations' requests, by authorization id. */
  private readonly authorizations = new BoundedCache<Map<string, string>>();

  constructor(
    private readonly store: Store,
    private readonly company: string,
  ) {}

  async usageRow(record: LoggedEvidence): Promise<LedgerRow> {
    const data = record.data;
    const request = text(data.request);
    const chain = request === null ? null : await this.request(request);
    return {
      ...position(record, "usage"), receipt: text(data.receipt), scenario: text(data.scenario), request, ...chainCells(chain),
      authorization: null, device: null, stampNo: null, authorized: true, reasons: null, actor: text(data.signer) ?? record.actor, documentHash: text(data.documentHash),
    };
  }

  async stampRow(record: LoggedEvidence): Promise<LedgerRow> {
    const data = record.data;
    const device = text(data.device);
    const authorization = text(data.authorization);
    const request = device === null || authorization === null ? null : await this.requestOfAuthorization(device, authorization);
    const chain = request === null ? null : await this.request(request);
    const operator = data.operator !== null && typeof data.operator === "object" && !Array.isArray(data.operator) ? text(data.operator.ref) : null;
    const reasons = Array.isArray(data.reasons) ? data.reasons.map(String).join(" ") : "";
    return {
      ...position(record, "stamp"), receipt: text(data.receipt), scenario: chain?.scenario ?? null, request, ...chainCells(chain),
      authorization, device, stampNo: typeof data.stampNo === "number" ? data.stampNo : null, authorized: data.authorized === true, reasons: reasons === "" ? null : reasons,
      actor: operator ?? record.actor, documentHash: null,
    };
  }

  private async request(id: string): Promise<RequestChain> {
    const known = this.requests.get(id);
    if (known !== undefined) return known;
    const chain: RequestChain = { scenario: null, requestedBy: null, requestedAt: null, approvedBy: null, approverRole: null, approvedAt: null, custody: new Map() };
    for await (const record of this.records({ company: this.company, subject: id })) {
      if (record.type === "request.created") Object.assign(chain, { scenario: text(record.data.scenario), requestedBy: record.actor, requestedAt: record.at });
      else if (record.type === "request.approved") Object.assign(chain, { approvedBy: record.actor, approverRole: text(record.data.level), approvedAt: record.at });
      else if (record.type === "request.custody-confirmed") chain.custody.set(text(record.data.role) ?? "", { by: record.actor, at: record.at });
    }
    this.requests.set(id, chain);
    return chain;
  }

  private async requestOfAuthorization(device: string, authorization: string): Promise<string | null> {
    let issued = this.authorizations.get(device);
    if (issued === undefined || !issued.has(authorization)) {
      issued = new Map();
      for await (const record of this.records({ company: this.company, type: "device.unlock-issued", subject: device })) {
        const [issuedAuthorization, request] = [text(record.data.authorization), text(record.data.request)];
        if (issuedAuthorization !== null && request !== null) issued.set(issuedAuthorization, request);
      }
      this.authorizations.set(device, issued);
    }
    return issued.get(authorization) ?? null;
  }

  async *records(filter: RecordFilter): AsyncGenerator<LoggedEvidence> {
    for await (const { record } of companyRecords(this.store, filter, PAGE)) yield record;
  }
}

function position(record: LoggedEvidence, kind: "usage" | "stamp"): Pick<LedgerRow, "at" | "kind" | "seq" | "cseq" | "seal"> {
  return { at: record.at, kind, seq: record.seq, cseq: "cseq" in record && typeof record.cseq === "number" ? record.cseq : null, seal: record.subject };
}

function chainCells(chain: RequestChain | null): Pick<LedgerRow, "requestedBy" | "requestedAt" | "approvedBy" | "approverRole" | "approvedAt" | "custodian" | "custodianConfirmedAt" | "reviewer" | "reviewerConfirmedAt"> {
  const custodian = chain?.custody.get("custodian");
  const reviewer = chain?.custody.get("reviewer");
  return {
    requestedBy: chain?.requestedBy ?? null, requestedAt: chain?.requestedAt ?? null, approvedBy: chain?.approvedBy ?? null, approverRole: chain?.approverRole ?? null, approvedAt: chain?.approvedAt ?? null,
    custodian: custodian?.by ?? null, custodianConfirmedAt: custodian?.at ?? null, reviewer: reviewer?.by ?? null, reviewerConfirmedAt: reviewer?.at ?? null,
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** A map that forgets its oldest entry past CACHE_LIMIT. */
class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    const oldest = this.entries.keys().next();
    if (this.entries.size > CACHE_LIMIT && oldest.done !== true) this.entries.delete(oldest.value);
  }
}
