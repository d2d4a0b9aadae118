// Rules over the grants still held at the end of the period: unused for long, or held by a member who left or moved
// to another department since the grant was given. Read from grant and member records, not the mutable documents.
import { finding, upToEnd, type Entry, type Rule } from "../anomalies";

const DAY_MS = 86_400_000;

interface Held {
  given: Entry;
  member: string;
  seal: string;
}

/** Grants given before the end of the period and not withdrawn by then. */
function heldGrants(log: Entry[]): Held[] {
  const withdrawn = new Set(log.filter((e) => e.type === "grant.withdrawn").map((e) => e.subject));
  return log
    .filter((e) => e.type === "grant.given" && !withdrawn.has(e.subject))
    .map((given) => ({ given, member: String(given.data.member), seal: String(given.data.seal) }));
}

/** A member's department as each member record set it, latest last. */
function departmentRecords(log: Entry[], member: string): Entry[] {
  return log.filter((e) => e.subject === member && (e.type === "member.added" || e.type === "member.roles-changed"));
}

export const grantHolderMoved: Rule = {
  name: "grant-holder-moved",
  thresholds: () => ({}),
  evaluate: ({ log, period }) => {
    const before = upToEnd(log, period);
    return heldGrants(before).flatMap(({ given, member }) => {
      const left = before.find((e) => e.type === "member.left" && e.subject === member);
      if (left !== undefined) return [finding("grant-holder-moved", "critical", `${given.subject}:left`, given.subject, `grant ${given.subject} is still held by member ${member}, who left the company`, [given, left])];
      const departments = departmentRecords(before, member);
      const then = departments.filter((e) => e.at <= given.at).pop();
      const now = departments[departments.length - 1];
      if (then === undefined || now === undefined || now === then || now.data.department === then.data.department) return [];
      return [finding("grant-holder-moved", "warning", `${given.subject}:${now.ref.id}`, given.subject, `grant ${given.subject} is still held by member ${member}, who moved from department ${String(then.data.department)} to ${String(now.data.department)}`, [given, now])];
    });
  },
};

/** A grant valid at the end of the period, given at least the threshold before it, with no use of it since then. */
export const dormantGrant: Rule = {
  name: "dormant-grant",
  thresholds: (s) => ({ dormantGrantDays: s.dormantGrantDays }),
  evaluate: ({ log, period, settings }) => {
    const before = upToEnd(log, period);
    const since = new Date(Date.parse(period.to) - settings.dormantGrantDays * DAY_MS).toISOString();
    return heldGrants(before)
      .filter(({ given }) => given.at < since && String(given.data.validTo) > period.to)
      .flatMap(({ given, member, seal }) => {
        const used = before.some(
          (e) => e.at >= since && ((e.type === "seal.used" && e.data.grant === given.subject) || (e.type === "request.created" && e.actor === member && e.data.seal === seal)),
        );
        if (used) return [];
        return [finding("dormant-grant", "warning", `${given.subject}:${since.slice(0, 10)}`, given.subject, `grant ${given.subject} of seal ${seal} to member ${member} has not been used for ${settings.dormantGrantDays} days`, [given])];
      });
  },
};
