// A company's webhook: an HTTPS endpoint that receives its alerts of the severities it subscribed to and its monthly
// audit reports, and the log of what was delivered to it.
import type { Owned } from "../store/schema";
import type { AlertSeverity } from "../alerts/codes";

export interface Webhook extends Owned {
  url: string;
  severities: AlertSeverity[];
  /** The HMAC key of its signatures: shown once at creation, stored encrypted (domain/sealed-fields.ts). */
  secret: string;
  secretPrefix: string;
  createdBy: string;
  createdAt: string;
}

/** pending: not yet taken (attempts > 0: failing, retried with backoff); abandoned: given up after WEBHOOK_RETRY_FOR, or its webhook deleted. */
export const DELIVERY_STATES = ["pending", "delivered", "abandoned"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** What a webhook is sent: an alert of a severity it subscribed to, or every monthly report the audit job issues. */
export const WEBHOOK_EVENTS = ["alert.raised", "audit.report-issued"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** What a delivery sends: an alert (by id), or an issued report (by its receipt id). */
export type DeliveredEvent = { event: "alert.raised"; alert: string } | { event: "audit.report-issued"; receipt: string };

/** One event sent to one webhook: created in the event's transaction, updated after every attempt. */
export type WebhookDelivery = DeliveryLog & DeliveredEvent;

/** The fields every delivery has, whatever it sends. */
export interface DeliveryLog extends Owned {
  webhook: string;
  state: DeliveryState;
  attempts: number;
  lastAttemptAt: string | null;
  /** The receiver's HTTP status on the last attempt, null when none came (refused, timed out, address not allowed). */
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}
