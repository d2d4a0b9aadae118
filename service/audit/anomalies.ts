// Anomaly rules over a company's evidence log: a closed list of rules, each a pure function of the log up to the end
// of the period (and a revocation window past it) and the thresholds recorded in the log, so every finding can be
// reproduced from the records it cites.
import type { Store } from "../store/port";
import { anomalySettingsAt, type AnomalySettings } from "./anomalies-settings";
import type { Period } from "./reconciliation";
import { companyRecords } from "./log-pages";

export const RULE_NAMES = [
  "unauthorized-stamp",
  "stamp-gap",
  "after-hours",
  "burst",
  "geofence-exit",
  "before-revocation",
  "repeated-document",
  "dormant-grant",
  "grant-holder-moved",
  "approver-concentration",
  "custodian-is-reviewer",
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export type FindingSeverity = "warning" | "critical";

/** A record a finding cites: its id always, its seq once sequenced, its receipt id when it has one. */
export interface RecordRef {
  id: string;
  seq: number | null;
  type: string;
  at: string;
  receipt: string | null;
}

export interface Finding {
  rule: RuleName;
  severity: FindingSeverity;
  /** Stable across evaluations of the same log: what an alert raised for the finding is keyed by. */
  key: string;
  /** When it happened: the latest cited event. */
  at: string;
  /** The seal, device, grant, member or document hash it is about. */
  subject: string;
  message: string;
  records: RecordRef[];
}

/** A record of the company's log as the rules read it. */
export interface Entry {
  ref: RecordRef;
  type: string;
  at: string;
  subject: string;
  actor: string;
  data: { [key: string]: unknown };
}

export interface RuleInput {
  /** The company's records in time order, from its first up to the end of the period plus the revocation window. */
  log: Entry[];
  period: Period;
  settings: AnomalySettings;
}

export interface Rule {
  name: RuleName;
  /** The thresholds it applies, as the findings response lists them. */
  thresholds(settings: AnomalySettings): { [key: string]: number | number[] };
  evaluate(input: RuleInput): Finding[];
}

export interface Evaluation {
  findings: Finding[];
  rules: Array<{ rule: RuleName; thresholds: { [key: string]: number | number[] } }>;
  settings: AnomalySettings;
}

const DAY_MS = 86_400_000;

/** Every rule over the company's log for the period, with the thresholds in force at its end. */
export async function evaluateAnomalies(store: Store, company: string, period: Period, rules: readonly Rule[]): Promise<Evaluation> {
  const settings = await anomalySettingsAt(store, company, period.to);
  const horizon = new Date(Date.parse(period.to) + settings.revocationWindowDays * DAY_MS).toISOString();
  const log = await readLog(store, company, horizon);
  const input: RuleInput = { log, period, settings };
  const findings = rules.flatMap((rule) => rule.evaluate(input)).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1));
  return { findings, rules: rules.map((rule) => ({ rule: rule.name, thresholds: rule.thresholds(settings) })), settings };
}

async function readLog(store: Store, company: string, to: string): Promise<Entry[]> {
  const log: Entry[] = [];
  for await (const { id, record } of companyRecords(store, { company, to })) {
    const receipt = typeof record.data.receipt === "string" ? record.data.receipt : null;
    log.push({ ref: { id, seq: record.seq, type: record.type, at: record.at, receipt }, type: record.type, at: record.at, subject: record.subject, actor: record.actor, data: record.data });
  }
  return log;
}

export function inPeriod(entry: { at: string }, period: Period): boolean {
  return entry.at >= period.from && entry.at < period.to;
}

/** Entries before the end of the period. */
export function upToEnd(log: Entry[], period: Period): Entry[] {
  return log.filter((e) => e.at < period.to);
}

export function latestAt(entries: Entry[]): string {
  return entries.reduce((latest, e) => (e.at > latest ? e.at : latest), entries[0]?.at ?? "");
}

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

export function finding(rule: RuleName, severity: FindingSeverity, key: string, subject: string, message: string, cited: Entry[]): Finding {
  return { rule, severity, key: `${rule}:${key}`, at: latestAt(cited), subject, message, records: cited.map((e) => e.ref) };
}
