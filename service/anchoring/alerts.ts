// Operational alerts raised by the batcher: logged, and appended to the evidence log as `alert.raised`.
import { draft } from "../domain/context";
import type { Store } from "../store/port";
import type { JsonValue } from "../evidence";

export type AlertSeverity = "warning" | "critical";

export interface Alert {
  severity: AlertSeverity;
  code: string;
  message: string;
  data: { [key: string]: JsonValue };
}

/** Records from the service itself carry this company id; no company owns them. */
export const SYSTEM_COMPANY = "system";

export async function raiseAlert(store: Store, alert: Alert, now: Date, log: (line: string) => void): Promise<void> {
  log(`[${alert.severity}] ${alert.code}: ${alert.message}`);
  await store.transaction(async (tx) => {
    await tx.records.append([draft("alert.raised", now, SYSTEM_COMPANY, "batcher", "batcher", { severity: alert.severity, code: alert.code, ...alert.data })]);
  });
}
