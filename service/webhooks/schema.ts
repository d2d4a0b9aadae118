// The document kinds of webhooks, merged into alerting's (alerts/schema.ts).
import { kind, type Schema } from "../store/schema";
import type { Webhook, WebhookDelivery } from "./model";

/** How long the delivery log keeps an entry. */
export const DELIVERY_LOG_KEPT_MS = 30 * 24 * 3_600_000;

export const WEBHOOK_SCHEMA = {
  webhooks: kind<Webhook>({ label: "webhook" }),
  webhookDeliveries: kind<WebhookDelivery>({ label: "webhook delivery", indexed: ["webhook"], expires: { field: "createdAt", afterMs: DELIVERY_LOG_KEPT_MS } }),
} satisfies Schema;
