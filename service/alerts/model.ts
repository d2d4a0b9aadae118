// An alert as members handle it: the document beside its `alert.raised` record, open until acknowledged and resolved.
import type { JsonValue } from "../evidence";
import type { Owned } from "../store/schema";
import type { AlertCode, AlertSeverity } from "./codes";

export const ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface Alert extends Owned {
  code: AlertCode;
  severity: AlertSeverity;
  /** What the alert is about, as its record names it: a seal, a device, or the raising subsystem. */
  subject: string;
  /** The seal and the device it concerns, when it concerns one: what members filter by. */
  seal: string | null;
  device: string | null;
  /** The id of its `alert.raised` record (GET /records/by-id/{record}). */
  record: string;
  /** The record's data: opaque ids, numbers and codes. */
  data: { [key: string]: JsonValue };
  state: AlertState;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** What the resolver wrote: kept here (stored encrypted, erasable), never in the log. */
  resolution: string | null;
  /** When it was raised: its record's `at`. */
  createdAt: string;
}
