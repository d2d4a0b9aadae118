// Raising an alert is appending `alert.raised` inside the caller's transaction: the alert commits with the state
// change that caused it, or not at all.
import type { JsonValue } from "../evidence";
import type { LoggedRecord, Tx } from "../store/port";
import { ALERT_SEVERITY, type AlertCode, type AlertSeverity } from "./codes";

/** The company of alerts that no company owns (the batcher's). */
export const SYSTEM_COMPANY = "system";

export interface RaisedAlert {
  code: AlertCode;
  at: Date;
  /** The company whose members see and act on it, or SYSTEM_COMPANY. */
  company: string;
  /** What the alert is about: a seal, a device, or the raising subsystem itself. */
  subject: string;
  /** Who raised it: recorded as the record's actor. */
  source: string;
  /** Opaque ids, numbers and codes only: the record is evidence and carries no personal data. */
  data: { [key: string]: JsonValue } & { code?: never; severity?: never };
}

export function severityOf(code: AlertCode): AlertSeverity {
  return ALERT_SEVERITY[code];
}

/** Appends the alert's `alert.raised` record in `tx`; its data is `data` plus the code and its severity. */
export async function raiseAlert(tx: Tx, alert: RaisedAlert): Promise<LoggedRecord> {
  const { code, at, company, subject, source, data } = alert;
  const [record] = await tx.records.append([{ type: "alert.raised", at: at.toISOString(), company, subject, actor: source, data: { ...data, severity: severityOf(code), code } }]);
  return record;
}
