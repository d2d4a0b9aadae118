// Reconciliation of a period, from the company's evidence records alone (what an auditor can prove, not what the
// service's mutable documents say): per seal and per scenario, the approvals issued against the usages and stamps
// recorded and the device authorizations opened and how they ended; the approved requests nothing used; usages of a
// scenario that required approval without a request (must be none); and each smart seal's own stamp counter against
// the stamps the platform recorded.
import { refuse } from "../domain/errors";
import { requirePower } from "../domain/policy";
import type { Actor, DomainContext } from "../domain/context";
import type { EvidenceRecord } from "../evidence";
import type { PendingRecord, RecordFilter, Store } from "../store/port";
import { companyRecords } from "./log-pages";

type LoggedEvidence = EvidenceRecord | PendingRecord;

export interface Period {
  /** Inclusive, ISO 8601 UTC. */
  from: string;
  /** Exclusive. */
  to: string;
}

export interface Tally {
  approvals: number;
  usages: number;
  stampsAuthorized: number;
  stampsUnauthorized: number;
}

export interface SealTally extends Tally {
  seal: string;
  authorizations: { opened: number; exhausted: number; expired: number; withdrawn: number; open: number };
}

export interface ScenarioTally extends Tally {
  scenario: string;
}

export interface DeviceCounter {
  device: string;
  seal: string;
  /** The device's own stamp counter at its first and last stamp of the period (stamps confirmed by hand have none). */
  firstStampNo: number | null;
  lastStampNo: number | null;
  /** Distinct counter values the platform recorded. */
  stampsRecorded: number;
  /** Counter values between the first and the last that no recorded stamp carries: stamps the platform never heard of. */
  unheardOf: number;
}

export interface Reconciliation {
  company: string;
  period: Period;
  seals: SealTally[];
  scenarios: ScenarioTally[];
  /** Requests approved in the period that no usage or stamp of the period used. */
  approvedUnused: Array<{ request: string; seal: string | null; scenario: string | null; approvedAt: string }>;
  /** Usages recorded without a request where their scenario required approval at the time. Must be empty. */
  usagesWithoutRequiredRequest: { count: number; holds: boolean; receipts: string[] };
  devices: DeviceCounter[];
  /** Records of the period read. */
  records: number;
}

const PAGE = 500;

/** The reconciliation of a period for the actor's company (auditor and legal_rep). */
export async function reconcile(ctx: DomainContext, actor: Actor, company: string | undefined, period: Period): Promise<Reconciliation> {
  requirePower(actor, "audit.reconcile");
  if (company !== undefined && company !== actor.company) refuse("NOT_FOUND", `no company ${company}`);
  return reconcileCompany(ctx.store, actor.company, period);
}

export async function reconcileCompany(store: Store, company: string, period: Period): Promise<Reconciliation> {
  const facts = new LogFacts(store, company);
  const seals = new Map<string, SealTally>();
  const scenarios = new Map<string, ScenarioTally>();
  const sealTally = (seal: string): SealTally =>
    getOrAdd(seals, seal, () => ({ seal, ...emptyTally(), authorizations: { opened: 0, exhausted: 0, expired: 0, withdrawn: 0, open: 0 } }));
  const scenarioTally = (scenario: string): ScenarioTally => getOrAdd(scenarios, scenario, () => ({ scenario, ...emptyTally() }));
  const approved = new Map<string, string>();
  const usedRequests = new Set<string>();
  const authorizations = new Map<string, { seal: string; request: string; copies: number; validUntil: string; stamps: number; cancelled: string | null }>();
  const counters = new Map<string, { seal: string; numbers: Set<number> }>();
  const withoutRequest: string[] = [];
  let read = 0;

  for await (const record of facts.inPeriod(period)) {
    read++;
    const data = record.data;
    switch (record.type) {
      case "request.approved": {
        approved.set(record.subject, record.at);
        const request = await facts.request(record.subject);
        if (request !== null) {
          sealTally(request.seal).approvals++;
          scenarioTally(request.scenario).approvals++;
        }
        break;
      }
      case "seal.used": {
        sealTally(record.subject).usages++;
        const scenario = text(data.scenario);
        scenarioTally(scenario).usages++;
        if (typeof data.request === "string") usedRequests.add(data.request);
        else if ((await facts.approvalAt(scenario, record.at)) !== "none") withoutRequest.push(text(data.receipt));
        break;
      }
      case "device.unlock-issued": {
        const seal = text(data.seal);
        sealTally(seal).authorizations.opened++;
        authorizations.set(text(data.authorization), { seal, request: text(data.request), copies: typeof data.copies === "number" ? data.copies : 0, validUntil: text(data.validUntil), stamps: 0, cancelled: null });
        break;
      }
      case "device.unlock-cancelled": {
        const authorization = authorizations.get(text(data.authorization));
        if (authorization !== undefined) authorization.cancelled = text(data.reason);
        break;
      }
      case "seal.stamped": {
        const tally = sealTally(record.subject);
        const authorization = typeof data.authorization === "string" ? data.authorization : null;
        const request = authorization === null ? null : await facts.requestOfAuthorization(authorization, authorizations, period.from);
        const scenario = request === null ? null : (await facts.request(request))?.scenario ?? null;
        if (data.authorized === true) {
          tally.stampsAuthorized++;
          if (scenario !== null) scenarioTally(scenario).stampsAuthorized++;
          if (request !== null) usedRequests.add(request);
          const opened = authorization === null ? undefined : authorizations.get(authorization);
          if (opened !== undefined) opened.stamps++;
        } else {
          tally.stampsUnauthorized++;
          if (scenario !== null) scenarioTally(scenario).stampsUnauthorized++;
        }
        if (typeof data.stampNo === "number") getOrAdd(counters, text(data.device), () => ({ seal: record.subject, numbers: new Set<number>() })).numbers.add(data.stampNo);
        break;
      }
      default:
        break;
    }
  }

  for (const authorization of authorizations.values()) {
    const counts = sealTally(authorization.seal).authorizations;
    if (authorization.stamps >= authorization.copies) counts.exhausted++;
    else if (authorization.cancelled === "withdrawn") counts.withdrawn++;
    else if (authorization.cancelled === "expired" || authorization.validUntil < period.to) counts.expired++;
    else counts.open++;
  }

  const approvedUnused: Reconciliation["approvedUnused"] = [];
  for (const [request, approvedAt] of approved) {
    if (usedRequests.has(request)) continue;
    const created = await facts.request(request);
    approvedUnused.push({ request, seal: created?.seal ?? null, scenario: created?.scenario ?? null, approvedAt });
  }

  return {
    company,
    period,
    seals: [...seals.values()].sort(by((t) => t.seal)),
    scenarios: [...scenarios.values()].sort(by((t) => t.scenario)),
    approvedUnused: approvedUnused.sort(by((r) => r.approvedAt)),
    usagesWithoutRequiredRequest: { count: withoutRequest.length, holds: withoutRequest.length === 0, receipts: withoutRequest },
    devices: [...counters].map(([device, { seal, numbers }]) => deviceCounter(device, seal, numbers)).sort(by((d) => d.device)),
    records: read,
  };
}

function deviceCounter(device: string, seal: string, numbers: Set<number>): DeviceCounter {
  const sorted = [...numbers].sort((a, b) => a - b);
  const first = sorted[0] ?? null;
  const last = sorted[sorted.length - 1] ?? null;
  const span = first === null || last === null ? 0 : last - first + 1;
  return { device, seal, firstStampNo: first, lastStampNo: last, stampsRecorded: sorted.length, unheardOf: span - sorted.length };
}

/**
 * What reconciling needs from the company's log beyond the period: a request's seal and scenario (from its
 * `request.created`), a scenario's approval level at a time (its latest `scenario.defined` then), an authorization's
 * request (its `device.unlock-issued`). Each is read once, by subject, from the log's indexes.
 */
class LogFacts {
  private readonly requests = new Map<string, { seal: string; scenario: string } | null>();
  private readonly definitions = new Map<string, Array<{ at: string; approval: string }>>();
  private authorizationRequests: Map<string, string> | null = null;

  constructor(
    private readonly store: Store,
    private readonly company: string,
  ) {}

  async *inPeriod(period: Period): AsyncGenerator<LoggedEvidence> {
    yield* this.all({ company: this.company, from: period.from, to: period.to });
  }

  async request(id: string): Promise<{ seal: string; scenario: string } | null> {
    if (!this.requests.has(id)) {
      let found: { seal: string; scenario: string } | null = null;
      for await (const record of this.all({ company: this.company, type: "request.created", subject: id })) found = { seal: text(record.data.seal), scenario: text(record.data.scenario) };
      this.requests.set(id, found);
    }
    return this.requests.get(id) ?? null;
  }

  /** The approval level the scenario's latest definition at `at` asked for; "none" for a scenario never defined. */
  async approvalAt(scenario: string, at: string): Promise<string> {
    let definitions = this.definitions.get(scenario);
    if (definitions === undefined) {
      definitions = [];
      for await (const record of this.all({ company: this.company, type: "scenario.defined", subject: scenario })) definitions.push({ at: record.at, approval: text(record.data.approval) });
      this.definitions.set(scenario, definitions);
    }
    return definitions.filter((d) => d.at <= at).pop()?.approval ?? "none";
  }

  /** The request an authorization was issued for: from the period's records, else from every earlier issue (read once). */
  async requestOfAuthorization(authorization: string, seen: Map<string, { request: string }>, before: string): Promise<string | null> {
    const inPeriod = seen.get(authorization);
    if (inPeriod !== undefined) return inPeriod.request;
    if (this.authorizationRequests === null) {
      this.authorizationRequests = new Map();
      for await (const record of this.all({ company: this.company, type: "device.unlock-issued", to: before })) this.authorizationRequests.set(text(record.data.authorization), text(record.data.request));
    }
    return this.authorizationRequests.get(authorization) ?? null;
  }

  private async *all(filter: RecordFilter): AsyncGenerator<LoggedEvidence> {
    for await (const { record } of companyRecords(this.store, filter, PAGE)) yield record;
  }
}

/** A string field of a record's data (record specs give them their shapes; anything else reads as ""). */
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function emptyTally(): Tally {
  return { approvals: 0, usages: 0, stampsAuthorized: 0, stampsUnauthorized: 0 };
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function by<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
