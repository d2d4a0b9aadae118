// Rules over when seals are used: outside working hours, in bursts, and shortly before the seal's revocation.
import { finding, groupBy, inPeriod, type Entry, type Rule } from "../anomalies";
import type { AnomalySettings } from "../anomalies-settings";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Electronic usages and every physical stamp (an unauthorized one is still a use of the seal). */
export function uses(log: Entry[]): Entry[] {
  return log.filter((e) => e.type === "seal.used" || e.type === "seal.stamped");
}

/** When the seal touched the paper: a stamp's device clock (it may sync much later), else the record's time. */
function usedAt(e: Entry): string {
  return e.type === "seal.stamped" && typeof e.data.deviceAt === "string" ? e.data.deviceAt : e.at;
}

function withinWorkingHours(at: string, s: AnomalySettings): boolean {
  const local = new Date(Date.parse(at) + s.utcOffsetMinutes * MINUTE_MS);
  const isoDay = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  const hour = local.getUTCHours();
  return s.workDays.includes(isoDay) && hour >= s.workStartHour && hour < s.workEndHour;
}

export const afterHours: Rule = {
  name: "after-hours",
  thresholds: (s) => ({ workStartHour: s.workStartHour, workEndHour: s.workEndHour, utcOffsetMinutes: s.utcOffsetMinutes, workDays: s.workDays }),
  evaluate: ({ log, period, settings }) =>
    uses(log)
      .filter((e) => inPeriod(e, period) && !withinWorkingHours(usedAt(e), settings))
      .map((e) => finding("after-hours", "warning", e.ref.id, e.subject, `seal ${e.subject} was used at ${usedAt(e)}, outside working hours`, [e])),
};

/** Per seal, the first run of at least `burstCount` uses within the window; the scan resumes after it. */
export const burst: Rule = {
  name: "burst",
  thresholds: (s) => ({ burstCount: s.burstCount, burstWindowMinutes: s.burstWindowMinutes }),
  evaluate: ({ log, period, settings }) => {
    const windowMs = settings.burstWindowMinutes * MINUTE_MS;
    const inside = uses(log).filter((e) => inPeriod(e, period));
    return [...groupBy(inside, (e) => e.subject)].flatMap(([seal, entries]) => {
      const found = [];
      let i = 0;
      while (i < entries.length) {
        let j = i;
        while (j < entries.length && Date.parse(entries[j].at) - Date.parse(entries[i].at) < windowMs) j++;
        if (j - i >= settings.burstCount) {
          const run = entries.slice(i, j);
          found.push(finding("burst", "warning", run[0].ref.id, seal, `seal ${seal} was used ${run.length} times within ${settings.burstWindowMinutes} minutes`, run));
          i = j;
        } else i++;
      }
      return found;
    });
  },
};

/** Uses of the period within the window before the seal's revocation, which may come after the period. */
export const beforeRevocation: Rule = {
  name: "before-revocation",
  thresholds: (s) => ({ revocationWindowDays: s.revocationWindowDays }),
  evaluate: ({ log, period, settings }) => {
    const all = uses(log);
    return log
      .filter((e) => e.type === "seal.revoked")
      .flatMap((revoked) => {
        const since = new Date(Date.parse(revoked.at) - settings.revocationWindowDays * DAY_MS).toISOString();
        const shortly = all.filter((e) => e.subject === revoked.subject && inPeriod(e, period) && e.at >= since && e.at < revoked.at);
        if (shortly.length === 0) return [];
        return [finding("before-revocation", "warning", revoked.ref.id, revoked.subject, `seal ${revoked.subject} was used ${shortly.length} time(s) within ${settings.revocationWindowDays} days before it was revoked`, [...shortly, revoked])];
      });
  },
};
