// The outbox handler of webhook entries: signs the stored body at the time of sending, POSTs it, and logs the attempt
// on the delivery. A failure throws, so the deliverer retries it with backoff and holds the endpoint's later alerts
// behind it; after `retryForMs` (24 h) or once its webhook is deleted, the delivery is abandoned and the queue moves on.
import type { OutboxEntry } from "../store/port";
import type { OutboxHandler } from "../jobs/outbox-deliverer";
import type { AlertStore } from "../alerts/schema";
import type { DeliveryLog, WebhookDelivery } from "./model";
import { postSigned } from "./post";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from "./signature";
import type { WebhookTargetPolicy } from "./targets";

export interface WebhookDeliveryOptions {
  policy: WebhookTargetPolicy;
  /** The longest one attempt may take, connection to answer (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long after the alert a delivery is still attempted. */
  retryForMs: number;
  now: () => Date;
  log: (line: string) => void;
}

export const RETRY_FOR_MS = 24 * 3_600_000;

type Payload = { webhook: string; delivery: string; body: string };

function payloadOf(entry: OutboxEntry): Payload {
  const { webhook, delivery, body } = entry.payload;
  if (typeof webhook !== "string" || typeof delivery !== "string" || typeof body !== "string") throw new Error(`invariant violated: webhook outbox entry ${entry.id} lacks webhook, delivery or body`);
  return { webhook, delivery, body };
}

export function webhookHandler(store: Pick<AlertStore, "webhooks" | "webhookDeliveries">, options: WebhookDeliveryOptions): OutboxHandler {
  const log = (delivery: WebhookDelivery, changes: Partial<DeliveryLog>) => store.webhookDeliveries.update({ ...delivery, ...changes });
  return async (entry) => {
    const payload = payloadOf(entry);
    const delivery = await store.webhookDeliveries.get(payload.delivery);
    // Purged from the log after DELIVERY_LOG_KEPT_MS: long past giving up.
    if (delivery === null || delivery.state !== "pending") return;
    const webhook = await store.webhooks.get(payload.webhook);
    if (webhook === null) return void (await log(delivery, { state: "abandoned", lastError: "the webhook was deleted" }));
    const now = options.now();
    if (now.getTime() - Date.parse(delivery.createdAt) > options.retryForMs) {
      options.log(`webhook ${webhook.id}: delivery ${delivery.id} abandoned after ${delivery.attempts} attempts`);
      return void (await log(delivery, { state: "abandoned", lastError: `not delivered within ${options.retryForMs / 3_600_000} h; last: ${delivery.lastError ?? "none"}` }));
    }
    const headers = { [SIGNATURE_HEADER]: signWebhook(webhook.secret, payload.body, now), [DELIVERY_HEADER]: delivery.id, [EVENT_HEADER]: delivery.event };
    const outcome = await postSigned(webhook.url, payload.body, headers, options.policy, options.timeoutMs);
    const attempted = { attempts: delivery.attempts + 1, lastAttemptAt: now.toISOString(), lastStatus: outcome.status, lastError: outcome.error };
    if (outcome.error === null) return void (await log(delivery, { ...attempted, state: "delivered", deliveredAt: options.now().toISOString() }));
    await log(delivery, attempted);
    throw new Error(`webhook ${webhook.id}: ${outcome.error}`);
  };
}
