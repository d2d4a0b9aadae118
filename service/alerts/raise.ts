// Raising an alert, inside the caller's transaction: its `alert.raised` record, the alert members handle, and a
// delivery to each webhook subscribed to its severity commit with the state change that caused it, or not at all.
import type { JsonValue } from "../evidence";
import { newId } from "../domain/ids";
import { enqueueAlertDeliveries } from "../webhooks/enqueue";
import { ALERT_SEVERITY, type AlertCode, type AlertSeverity } from "./codes";
import type { Alert } from "./model";
import type { AlertTx } from "./schema";

/** The company of alerts that no company owns (the batcher's): only the operator sees them. */
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
  data: { [key: string]: JsonValue } & { code?: never; severity?: never; alert?: never };
}

export function severityOf(code: AlertCode): AlertSeverity {
  return ALERT_SEVERITY[code];
}

/** Appends the alert's `alert.raised` record in `tx` (data: `data`, the code, its severity and the alert's id) and creates the alert. */
export async function raiseAlert(tx: AlertTx, raised: RaisedAlert): Promise<Alert> {
  const { code, at, company, subject, source, data } = raised;
  const id = newId("al");
  const severity = severityOf(code);
  const recordData = { ...data, severity, code, alert: id };
  const [record] = await tx.records.append([{ type: "alert.raised", at: at.toISOString(), company, subject, actor: source, data: recordData }]);
  const alert: Alert = {
    id,
    company,
    code,
    severity,
    subject,
    seal: subject.startsWith("s_") ? subject : null,
    device: typeof data.device === "string" ? data.device : subject.startsWith("d_") ? subject : null,
    record: record.id,
    data: recordData,
    state: "open",
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedBy: null,
    resolvedAt: null,
    resolution: null,
    createdAt: at.toISOString(),
  };
  await tx.alerts.insert(alert);
  await enqueueAlertDeliveries(tx, alert);
  return alert;
}
