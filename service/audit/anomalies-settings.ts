// A company's anomaly-rule thresholds: recorded as `audit.settings-changed` (every field, each time), so the findings
// of any evaluation can be reproduced from the log; the defaults hold until the legal representative records others.
import { draft, recordChange, type Actor, type DomainContext } from "../domain/context";
import { requirePower } from "../domain/policy";
import { RECORD_SPECS } from "../evidence/record-specs";
import type { Store } from "../store/port";
import { companyRecords } from "./log-pages";

export interface AnomalySettings {
  /** Working hours [start, end) in the company's local time, on these ISO weekdays (1 Monday … 7 Sunday). */
  workStartHour: number;
  workEndHour: number;
  utcOffsetMinutes: number;
  workDays: number[];
  /** A burst: this many uses of one seal within the window. */
  burstCount: number;
  burstWindowMinutes: number;
  /** Uses of a seal within this many days before its revocation. */
  revocationWindowDays: number;
  /** One document hash sealed this many times or more. */
  repeatedDocumentCount: number;
  /** A grant unused this long while it stays valid. */
  dormantGrantDays: number;
  /** One approver gave this share (in percent) of the period's approvals, once there are at least `approverMinApprovals`. */
  approverSharePercent: number;
  approverMinApprovals: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  workStartHour: 8,
  workEndHour: 20,
  utcOffsetMinutes: 480,
  workDays: [1, 2, 3, 4, 5],
  burstCount: 10,
  burstWindowMinutes: 10,
  revocationWindowDays: 7,
  repeatedDocumentCount: 3,
  dormantGrantDays: 90,
  approverSharePercent: 80,
  approverMinApprovals: 10,
};

/** The settings in force for the company at `at` (its latest `audit.settings-changed` before then), else the defaults. */
export async function anomalySettingsAt(store: Store, company: string, at: string): Promise<AnomalySettings> {
  let settings = DEFAULT_ANOMALY_SETTINGS;
  for await (const { record } of companyRecords(store, { company, type: "audit.settings-changed", to: at }, 100)) {
    const parsed = RECORD_SPECS["audit.settings-changed"].data(record.data);
    if (parsed.ok) settings = { ...parsed.value };
  }
  return settings;
}

/** The company's current settings (auditor and legal_rep). */
export async function getAnomalySettings(ctx: DomainContext, actor: Actor): Promise<AnomalySettings> {
  requirePower(actor, "audit.findings");
  return anomalySettingsAt(ctx.store, actor.company, new Date(ctx.now().getTime() + 1).toISOString());
}

/** Records new settings (legal_rep): the fields given over the current ones. */
export async function setAnomalySettings(ctx: DomainContext, actor: Actor, changes: Partial<AnomalySettings>): Promise<AnomalySettings> {
  requirePower(actor, "audit.settings");
  const now = ctx.now();
  const settings: AnomalySettings = { ...(await anomalySettingsAt(ctx.store, actor.company, new Date(now.getTime() + 1).toISOString())), ...changes };
  await ctx.store.transaction(async (tx) => {
    await recordChange(tx, draft("audit.settings-changed", now, actor.company, actor.company, actor.member.id, { ...settings }));
  });
  return settings;
}
