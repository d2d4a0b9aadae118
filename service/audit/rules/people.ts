// Rules over who approves and who holds dual control: approvals concentrated on one approver, and one member
// confirming custody of a seal as its custodian and as its reviewer across requests.
import { finding, groupBy, inPeriod, type Rule } from "../anomalies";

export const approverConcentration: Rule = {
  name: "approver-concentration",
  thresholds: (s) => ({ approverSharePercent: s.approverSharePercent, approverMinApprovals: s.approverMinApprovals }),
  evaluate: ({ log, period, settings }) => {
    const approvals = log.filter((e) => e.type === "request.approved" && inPeriod(e, period));
    if (approvals.length < settings.approverMinApprovals) return [];
    return [...groupBy(approvals, (e) => e.actor)]
      .filter(([, given]) => given.length * 100 >= settings.approverSharePercent * approvals.length)
      .map(([approver, given]) =>
        finding("approver-concentration", "warning", `${approver}:${period.from}:${period.to}`, approver, `member ${approver} gave ${given.length} of the ${approvals.length} approvals of the period`, given),
      );
  },
};

/** Per seal (the request's), the members who confirmed custody in both roles within the period. */
export const custodianIsReviewer: Rule = {
  name: "custodian-is-reviewer",
  thresholds: () => ({}),
  evaluate: ({ log, period }) => {
    const sealOf = new Map(log.filter((e) => e.type === "request.created").map((e) => [e.subject, String(e.data.seal)]));
    const confirmations = log.filter((e) => e.type === "request.custody-confirmed" && inPeriod(e, period) && sealOf.has(e.subject));
    const bySealAndMember = groupBy(confirmations, (e) => `${sealOf.get(e.subject)}:${e.actor}`);
    return [...bySealAndMember].flatMap(([key, confirmed]) => {
      const roles = new Set(confirmed.map((e) => String(e.data.role)));
      if (!(roles.has("custodian") && roles.has("reviewer"))) return [];
      const seal = String(sealOf.get(confirmed[0].subject));
      return [finding("custodian-is-reviewer", "critical", `${key}:${confirmed[0].ref.id}`, seal, `member ${confirmed[0].actor} confirmed custody of seal ${seal} both as custodian and as reviewer`, confirmed.filter((e) => e.data.role === "custodian" || e.data.role === "reviewer"))];
    });
  },
};
