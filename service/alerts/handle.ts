// Alerts as members handle them: list, read, acknowledge (someone is on it) and resolve (with a note), each change a
// record. A company's alerts are its members'; the system's (the batcher's, the dev chain's) are the operator's.
import { draft, OPERATOR_ACTOR, recordChange, type Actor, type DomainContext } from "../domain/context";
import { refuse } from "../domain/errors";
import { getOwned } from "../domain/lookup";
import { requirePower, type Action } from "../domain/policy";
import type { Page, PageRequest } from "../store/port";
import type { AlertSeverity } from "./codes";
import type { Alert, AlertState } from "./model";
import { SYSTEM_COMPANY } from "./raise";

/** A member acting in their company, or the operator acting on the system's alerts. */
export type AlertHandler = Actor | "operator";

export interface AlertFilter {
  severity?: AlertSeverity;
  state?: AlertState;
  seal?: string;
  device?: string;
}

/** The company whose alerts `who` may take `action` on, and the actor id its records name. */
function scopeOf(who: AlertHandler, action: Action): { company: string; by: string } {
  if (who === "operator") return { company: SYSTEM_COMPANY, by: OPERATOR_ACTOR };
  requirePower(who, action);
  return { company: who.company, by: who.member.id };
}

export async function listAlerts(ctx: DomainContext, who: AlertHandler, filter: AlertFilter, page: PageRequest): Promise<Page<Alert>> {
  const { company } = scopeOf(who, "alert.read");
  const where: Partial<Alert> = {};
  for (const field of ["severity", "state", "seal", "device"] as const) if (filter[field] !== undefined) Object.assign(where, { [field]: filter[field] });
  return ctx.store.alerts.page(company, where, page);
}

export async function getAlert(ctx: DomainContext, who: AlertHandler, id: string): Promise<Alert> {
  return getOwned(ctx.store, "alerts", scopeOf(who, "alert.read").company, id);
}

/** Open → acknowledged, as `alert.acknowledged`; acknowledging again changes nothing; a resolved alert is refused. */
export async function acknowledgeAlert(ctx: DomainContext, who: AlertHandler, id: string): Promise<Alert> {
  const { company, by } = scopeOf(who, "alert.handle");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const alert = await getOwned(tx, "alerts", company, id);
    if (alert.state === "resolved") refuse("ALERT_RESOLVED", `alert ${id} is resolved already`, { resolvedAt: alert.resolvedAt });
    if (alert.state === "acknowledged") return alert;
    const acknowledged: Alert = { ...alert, state: "acknowledged", acknowledgedBy: by, acknowledgedAt: now.toISOString() };
    await tx.alerts.update(acknowledged);
    await recordChange(tx, draft("alert.acknowledged", now, company, alert.subject, by, { alert: id }));
    return acknowledged;
  });
}

/** Open or acknowledged → resolved, as `alert.resolved`; the note stays with the alert, out of the log (it may name people). */
export async function resolveAlert(ctx: DomainContext, who: AlertHandler, id: string, note: string): Promise<Alert> {
  const { company, by } = scopeOf(who, "alert.handle");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const alert = await getOwned(tx, "alerts", company, id);
    if (alert.state === "resolved") refuse("ALERT_RESOLVED", `alert ${id} is resolved already`, { resolvedAt: alert.resolvedAt });
    const resolved: Alert = { ...alert, state: "resolved", resolvedBy: by, resolvedAt: now.toISOString(), resolution: note };
    await tx.alerts.update(resolved);
    await recordChange(tx, draft("alert.resolved", now, company, alert.subject, by, { alert: id }));
    return resolved;
  });
}
