// Critical findings raise alerts once each: an alert's `alert.raised` record carries the finding's key, and a finding
// whose key the log already holds raises nothing. Evaluations of one company run one at a time in this process.
import { raiseAlert } from "../alerts/raise";
import type { AlertCode } from "../alerts/codes";
import type { Store } from "../domain/schema";
import type { Finding, RuleName } from "./anomalies";
import { companyRecords } from "./log-pages";

/** The source the alerts name as their actor. */
export const ANOMALY_SOURCE = "audit";

const CRITICAL_CODES: Partial<Record<RuleName, AlertCode>> = {
  "unauthorized-stamp": "AUDIT_UNAUTHORIZED_STAMP",
  "stamp-gap": "AUDIT_STAMP_GAP",
  "geofence-exit": "AUDIT_GEOFENCE_EXIT",
  "grant-holder-moved": "AUDIT_GRANT_HELD_AFTER_LEAVING",
  "custodian-is-reviewer": "AUDIT_DUAL_CONTROL_ONE_PERSON",
};

const running = new Map<string, Promise<unknown>>();

/** Raises an alert for each critical finding no earlier alert names; resolves with the keys alerted now. */
export async function alertCriticalFindings(store: Store, company: string, findings: Finding[], now: Date): Promise<string[]> {
  const previous = running.get(company) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => raiseNew(store, company, findings, now));
  running.set(company, next);
  try {
    return await next;
  } finally {
    if (running.get(company) === next) running.delete(company);
  }
}

async function raiseNew(store: Store, company: string, findings: Finding[], now: Date): Promise<string[]> {
  const critical = findings.filter((f) => f.severity === "critical" && CRITICAL_CODES[f.rule] !== undefined);
  if (critical.length === 0) return [];
  const alerted = await alertedKeys(store, company);
  const fresh = critical.filter((f) => !alerted.has(f.key));
  if (fresh.length === 0) return [];
  await store.transaction(async (tx) => {
    for (const f of fresh) {
      const code = CRITICAL_CODES[f.rule] as AlertCode;
      await raiseAlert(tx, { code, at: now, company, subject: f.subject, source: ANOMALY_SOURCE, data: { rule: f.rule, finding: f.key, records: f.records.map((r) => r.id) } });
    }
  });
  return fresh.map((f) => f.key);
}

async function alertedKeys(store: Store, company: string): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const { record } of companyRecords(store, { company, type: "alert.raised" }, 1000)) if (typeof record.data.finding === "string") keys.add(record.data.finding);
  return keys;
}
