// Rules over a smart seal's stamps: stamps no authorization covered, stamps outside the geofence, and the device's
// mechanical counter skipping numbers (stamps the platform never heard of).
import { finding, groupBy, inPeriod, upToEnd, type Entry, type Rule } from "../anomalies";

const stamps = (log: Entry[]): Entry[] => log.filter((e) => e.type === "seal.stamped");
const reasonsOf = (e: Entry): string[] => (Array.isArray(e.data.reasons) ? e.data.reasons.map(String) : []);

/** Unauthorized for a reason of its own: a stamp refused only for leaving the geofence is the geofence rule's. */
export const unauthorizedStamp: Rule = {
  name: "unauthorized-stamp",
  thresholds: () => ({}),
  evaluate: ({ log, period }) =>
    stamps(log)
      .filter((e) => inPeriod(e, period) && e.data.authorized === false && reasonsOf(e).some((r) => r !== "OUTSIDE_GEOFENCE"))
      .map((e) => finding("unauthorized-stamp", "critical", e.ref.id, e.subject, `seal ${e.subject} was stamped by device ${String(e.data.device)} without authorization (${reasonsOf(e).join(", ")})`, [e])),
};

export const geofenceExit: Rule = {
  name: "geofence-exit",
  thresholds: () => ({}),
  evaluate: ({ log, period }) =>
    stamps(log)
      .filter((e) => inPeriod(e, period) && e.data.inGeofence === false)
      .map((e) => finding("geofence-exit", "critical", e.ref.id, e.subject, `seal ${e.subject} was stamped outside its geofence by device ${String(e.data.device)}`, [e])),
};

/** Each device's counted stamps in message order; a stamp of the period whose counter is past the previous one plus one. */
export const stampGap: Rule = {
  name: "stamp-gap",
  thresholds: () => ({}),
  evaluate: ({ log, period }) => {
    const counted = stamps(upToEnd(log, period)).filter((e) => typeof e.data.stampNo === "number" && typeof e.data.n === "number");
    return [...groupBy(counted, (e) => String(e.data.device))].flatMap(([device, entries]) => {
      const ordered = [...entries].sort((a, b) => Number(a.data.n) - Number(b.data.n));
      return ordered.slice(1).flatMap((e, i) => {
        const before = ordered[i];
        const missing = Number(e.data.stampNo) - Number(before.data.stampNo) - 1;
        if (missing <= 0 || !inPeriod(e, period)) return [];
        return [finding("stamp-gap", "critical", e.ref.id, e.subject, `device ${device} counted ${missing} stamp(s) between ${Number(before.data.stampNo)} and ${Number(e.data.stampNo)} that the platform never heard of`, [before, e])];
      });
    });
  },
};
