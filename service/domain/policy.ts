// Who may do what: one table of actions and the roles that may take them, read by the domain functions and
// by the authorization-matrix test. Conditions on the target (department, own resources, its powers) are code
// below the table, and they only ever pick which action of the table applies.
import { refuse } from "./errors";
import { ROLES, type Member, type Role } from "./model";
import type { Actor } from "./context";

const EVERYONE = ROLES;
/** Auditors read and export only. */
const WRITERS = ROLES.filter((r) => r !== "auditor");
const ADMINS = ["legal_rep", "seal_admin"] as const satisfies readonly Role[];
const LEGAL_REP = ["legal_rep"] as const satisfies readonly Role[];

interface Rule {
  /** What the action is, as a refusal names it. */
  doing: string;
  roles: readonly Role[];
}

/**
 * legal_rep holds every power in the company, so it is in every row but those of dual control over a physical seal
 * (custody confirmation, the reviewer's half of a device unlock, a manual stamp): they name two persons on the seal,
 * and a legal representative is neither unless named.
 */
export const POLICY = {
  "company.read": { doing: "reading the company", roles: EVERYONE },
  "member.read": { doing: "reading members", roles: EVERYONE },
  "member.add": { doing: "adding members", roles: ADMINS },
  "member.add-empowered": { doing: "adding a member with a role beyond employee and auditor", roles: LEGAL_REP },
  "member.roles": { doing: "changing roles", roles: ADMINS },
  "member.roles-empowered": { doing: "changing one's own roles or a seal_admin's or legal_rep's, or giving or taking a role beyond employee and auditor", roles: LEGAL_REP },
  "member.leave": { doing: "removing members", roles: ADMINS },
  "member.leave-admin": { doing: "removing a seal_admin or legal_rep", roles: LEGAL_REP },
  "key.list-own": { doing: "listing one's own keys", roles: EVERYONE },
  "key.list-other": { doing: "listing another member's keys", roles: ["legal_rep", "seal_admin", "auditor"] },
  "key.issue-own": { doing: "issuing a key for oneself", roles: EVERYONE },
  "key.issue-other": { doing: "issuing a key for another member", roles: ADMINS },
  "key.issue-empowered": { doing: "issuing a key for another member who holds powers (roles beyond employee and auditor, or a grant)", roles: LEGAL_REP },
  "key.revoke-own": { doing: "revoking one's own key", roles: EVERYONE },
  "key.revoke-other": { doing: "revoking another member's key", roles: ADMINS },
  "key.revoke-empowered": { doing: "revoking the key of another member who holds powers (roles beyond employee and auditor, or a grant)", roles: LEGAL_REP },
  "member.invite": { doing: "inviting a member to register a passkey for the console", roles: ADMINS },
  "member.invite-empowered": { doing: "inviting another member who holds powers (roles beyond employee and auditor, or a grant) to register a passkey", roles: LEGAL_REP },
  "session.revoke-other": { doing: "ending a member's console sessions", roles: ADMINS },
  "session.revoke-empowered": { doing: "ending the console sessions of another member who holds powers (roles beyond employee and auditor, or a grant)", roles: LEGAL_REP },
  "seal.read": { doing: "reading seals", roles: EVERYONE },
  "seal.register": { doing: "registering seals", roles: ADMINS },
  "seal.suspend": { doing: "suspending seals", roles: ADMINS },
  "seal.resume": { doing: "resuming seals", roles: ADMINS },
  "seal.revoke": { doing: "revoking seals", roles: ADMINS },
  "seal.destroy": { doing: "recording a seal's destruction", roles: ADMINS },
  "seal.replace": { doing: "replacing seals", roles: ADMINS },
  "device.read": { doing: "reading devices", roles: EVERYONE },
  "device.enrol": { doing: "enrolling smart-seal devices", roles: ADMINS },
  "device.retire": { doing: "retiring smart-seal devices", roles: ADMINS },
  "device.lock": { doing: "locking a smart-seal device", roles: ADMINS },
  "device.lock-in-custody": { doing: "locking the device of a seal in one's custody", roles: ["legal_rep", "custodian"] },
  "device.unlock": { doing: "giving the administrator's half of a device unlock", roles: ADMINS },
  "device.unlock-review": { doing: "giving the reviewer's half of a device unlock (the seal's reviewer)", roles: ["reviewer"] },
  "device.report-out-of-order": { doing: "reporting a device out of order (the seal's custodian)", roles: ["legal_rep", "custodian"] },
  "device.manual-stamp": { doing: "confirming a stamp made without the device (the seal's custodian and reviewer, one each)", roles: ["custodian", "reviewer"] },
  "stamp.photo-read": { doing: "reading the photos of stamps", roles: ["legal_rep", "seal_admin", "auditor"] },
  "stamp.photo-read-in-custody": { doing: "reading the photos of the stamps of a seal one is the custodian or reviewer of", roles: ["legal_rep", "custodian", "reviewer"] },
  "stamp.photo-erase": { doing: "erasing the photo of a stamp", roles: LEGAL_REP },
  "stamp.location-disclose": { doing: "disclosing the exact location of a stamp", roles: ["legal_rep", "auditor"] },
  "stamp.location-erase": { doing: "erasing the exact location of a stamp", roles: LEGAL_REP },
  "authorization.withdraw": { doing: "withdrawing a device authorization", roles: ADMINS },
  "scenario.read": { doing: "reading scenarios", roles: EVERYONE },
  "scenario.define": { doing: "defining scenarios", roles: ADMINS },
  "grant.read-own": { doing: "reading the grants one holds or gave", roles: EVERYONE },
  "grant.read-all": { doing: "reading every grant", roles: ["legal_rep", "seal_admin", "auditor"] },
  "grant.give": { doing: "giving grants", roles: ["legal_rep", "dept_head"] },
  "grant.give-unbounded": { doing: "giving a grant beyond one's own", roles: LEGAL_REP },
  "grant.withdraw-given": { doing: "withdrawing a grant one gave", roles: ["legal_rep", "dept_head"] },
  "grant.withdraw-any": { doing: "withdrawing a grant someone else gave", roles: LEGAL_REP },
  "request.create": { doing: "requesting seal use", roles: WRITERS },
  "request.read-own": { doing: "reading one's own requests", roles: EVERYONE },
  "request.read-all": { doing: "reading every request", roles: ["legal_rep", "seal_admin", "auditor", "dept_head", "custodian", "reviewer"] },
  "request.approve": { doing: "approving or rejecting a department-level request", roles: ["legal_rep", "dept_head"] },
  "request.approve-legal-rep-level": { doing: "approving or rejecting a legal_rep-level request", roles: LEGAL_REP },
  "request.confirm-custody": { doing: "confirming custody of a physical seal", roles: ["custodian", "reviewer"] },
  "usage.reserve": { doing: "reserving a receipt id", roles: WRITERS },
  "usage.submit": { doing: "using a seal", roles: WRITERS },
  "document.link": { doing: "linking a scan or a final file to a usage one may see (one's own, or any for those who read every request)", roles: WRITERS },
  "records.read": { doing: "reading the evidence log", roles: ["legal_rep", "seal_admin", "auditor"] },
  "audit.export": { doing: "exporting the company's audit bundle", roles: ["legal_rep", "auditor"] },
  "alert.read": { doing: "reading alerts", roles: ["legal_rep", "seal_admin", "auditor"] },
  "alert.handle": { doing: "acknowledging and resolving alerts", roles: ADMINS },
  "webhook.read": { doing: "reading webhooks and their deliveries", roles: ["legal_rep", "seal_admin", "auditor"] },
  "webhook.manage": { doing: "creating and deleting webhooks", roles: ADMINS },
  "audit.reconcile": { doing: "reconciling approvals with usages and stamps", roles: ["legal_rep", "auditor"] },
  "audit.findings": { doing: "reading the anomaly rules' findings and thresholds", roles: ["legal_rep", "auditor"] },
  "audit.settings": { doing: "setting the anomaly rules' thresholds", roles: LEGAL_REP },
  "audit.ledger": { doing: "reading the ledger of usages and stamps with their approval chain", roles: ["legal_rep", "auditor"] },
  "audit.report": { doing: "issuing and reading the company's audit reports", roles: ["legal_rep", "auditor"] },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof POLICY;

export const ACTIONS = Object.keys(POLICY) as Action[];

export function rolesFor(action: Action): readonly Role[] {
  return POLICY[action].roles;
}

export function may(actor: Actor, action: Action): boolean {
  const roles: readonly Role[] = POLICY[action].roles;
  return actor.member.roles.some((r) => roles.includes(r));
}

export function requirePower(actor: Actor, action: Action): void {
  if (!may(actor, action)) refuse("FORBIDDEN", `${POLICY[action].doing} needs one of the roles: ${POLICY[action].roles.join(", ")}`, { action });
}

export function isLegalRep(member: Member): boolean {
  return member.roles.includes("legal_rep");
}

/** Roles that administer other members: only a legal representative gives, takes or touches them. */
const ADMIN_ROLES: readonly Role[] = ADMINS;

/**
 * Roles with powers a seal_admin does not hold itself. A seal_admin receives the first key of every member it
 * adds; were it to give such a role (say, custodian to one member and reviewer to another), it would hold the
 * powers through their keys. So only a legal representative confers them, and a seal_admin manages
 * employees, auditors and departments.
 */
export const EMPOWERED_ROLES: readonly Role[] = ["legal_rep", "seal_admin", "dept_head", "custodian", "reviewer"];

export function addMemberAction(roles: Role[]): Action {
  return roles.some((r) => EMPOWERED_ROLES.includes(r)) ? "member.add-empowered" : "member.add";
}

/** Nobody but a legal representative changes their own roles, an administrator's, or gives or takes a role with powers. */
export function changeRolesAction(actor: Actor, target: Member, roles: Role[]): Action {
  const touched = [...target.roles, ...roles].filter((r) => target.roles.includes(r) !== roles.includes(r));
  const empowered = target.id === actor.member.id || target.roles.some((r) => ADMIN_ROLES.includes(r)) || touched.some((r) => EMPOWERED_ROLES.includes(r));
  return empowered ? "member.roles-empowered" : "member.roles";
}

export function removeMemberAction(target: Member): Action {
  return target.roles.some((r) => ADMIN_ROLES.includes(r)) ? "member.leave-admin" : "member.leave";
}

/**
 * A key acts as its member. For oneself anyone may; for a member holding powers — an administrating, approving
 * or custody role, or a grant to use a seal not withdrawn — only a legal representative, so that a seal_admin cannot
 * become the legal representative, an approver or a custodian by holding their key.
 */
export function keyAction(kind: "issue" | "revoke", actor: Actor, target: Member, holdsGrant: boolean): Action {
  if (target.id === actor.member.id) return `key.${kind}-own`;
  return holdsGrant || target.roles.some((r) => EMPOWERED_ROLES.includes(r)) ? `key.${kind}-empowered` : `key.${kind}-other`;
}

/**
 * A passkey, like a key, acts as its member: inviting a member holding powers is for a legal representative alone (see
 * keyAction), and so is ending such a member's sessions. Inviting oneself is an administrator's act like any other.
 */
export function inviteAction(actor: Actor, target: Member, holdsGrant: boolean): Action {
  return target.id !== actor.member.id && holdsPowers(target, holdsGrant) ? "member.invite-empowered" : "member.invite";
}

export function sessionRevokeAction(actor: Actor, target: Member, holdsGrant: boolean): Action {
  return target.id !== actor.member.id && holdsPowers(target, holdsGrant) ? "session.revoke-empowered" : "session.revoke-other";
}

function holdsPowers(member: Member, holdsGrant: boolean): boolean {
  return holdsGrant || member.roles.some((r) => EMPOWERED_ROLES.includes(r));
}

/** The roles of an action as the API description states them, e.g. "legal_rep, seal_admin". */
export function rolesText(action: Action): string {
  return POLICY[action].roles.join(", ");
}
