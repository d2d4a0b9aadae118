// Who may do what: role checks shared by the domain modules. legal_rep holds every power in its company.
import { refuse } from "./errors";
import type { Actor } from "./context";
import type { Role } from "./model";

export function hasRole(actor: Actor, ...roles: Role[]): boolean {
  return actor.member.roles.includes("legal_rep") || roles.some((r) => actor.member.roles.includes(r));
}

export function requireRole(actor: Actor, action: string, ...roles: Role[]): void {
  if (!hasRole(actor, ...roles)) refuse("FORBIDDEN", `${action} needs one of the roles: legal_rep, ${roles.join(", ")}`);
}

/** Every role but auditor may write; auditors read and export only. */
export function requireWriter(actor: Actor, action: string): void {
  if (actor.member.roles.length === 1 && actor.member.roles[0] === "auditor") refuse("FORBIDDEN", `${action}: auditors have read-only access`);
}

/** Reading the whole evidence log of the company. */
export function requireLogReader(actor: Actor): void {
  requireRole(actor, "reading the evidence log", "auditor", "seal_admin");
}
