// In the alert's transaction: one delivery per webhook of the company subscribed to its severity, each an outbox entry
// (delivered after commit, so a rolled-back alert is never sent) and a line of the webhook's delivery log.
import { newId } from "../domain/ids";
import type { Alert } from "../alerts/model";
import type { AlertTx } from "../alerts/schema";
import type { WebhookDelivery } from "./model";

export const WEBHOOK_OUTBOX_KIND = "webhook";

/** The outbox target of a webhook's deliveries: one target per endpoint, so each endpoint gets its alerts in order. */
export const webhookTarget = (webhook: string) => `webhook:${webhook}`;

/** What a webhook receives: the event, the delivery's id (the same on every retry) and the alert. */
export function alertEventBody(alert: Alert, delivery: string): string {
  const { id, company, code, severity, subject, seal, device, record, data, createdAt } = alert;
  return JSON.stringify({ event: "alert.raised", delivery, alert: { id, company, code, severity, subject, seal, device, record, data, raisedAt: createdAt } });
}

export async function enqueueAlertDeliveries(tx: AlertTx, alert: Alert): Promise<void> {
  const subscribed = (await tx.webhooks.list(alert.company)).filter((w) => w.severities.includes(alert.severity));
  for (const webhook of subscribed) {
    const delivery: WebhookDelivery = {
      id: newId("wd"),
      company: alert.company,
      webhook: webhook.id,
      alert: alert.id,
      event: "alert.raised",
      state: "pending",
      attempts: 0,
      lastAttemptAt: null,
      lastStatus: null,
      lastError: null,
      deliveredAt: null,
      createdAt: alert.createdAt,
    };
    await tx.webhookDeliveries.insert(delivery);
    await tx.outbox.add({ target: webhookTarget(webhook.id), kind: WEBHOOK_OUTBOX_KIND, payload: { webhook: webhook.id, delivery: delivery.id, body: alertEventBody(alert, delivery.id) } });
  }
}
