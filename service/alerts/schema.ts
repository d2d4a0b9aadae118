// The document kinds of alerting: alerts, and the webhooks that receive them with their delivery log. They sit in the
// domain's schema (domain/schema.ts) because every subsystem that raises an alert writes them in its own transaction.
import { kind, type Schema } from "../store/schema";
import type { Repositories as RepositoriesOf, Store as StoreOf, Tx as TxOf } from "../store/port";
import type { Alert } from "./model";
import { WEBHOOK_SCHEMA } from "../webhooks/schema";

export const ALERT_SCHEMA = {
  // Members list open alerts, and an alert of one seal or device.
  alerts: kind<Alert>({ label: "alert", indexed: ["state", "seal", "device"] }),
  ...WEBHOOK_SCHEMA,
} satisfies Schema;

export type AlertSchema = typeof ALERT_SCHEMA;
export type AlertStore = StoreOf<AlertSchema>;
export type AlertTx = TxOf<AlertSchema>;
export type AlertRepositories = RepositoriesOf<AlertSchema>;
