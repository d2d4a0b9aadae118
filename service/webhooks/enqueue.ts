// In the event's transaction: one delivery per webhook the event goes to, each an outbox entry (delivered after
// commit, so a rolled-back alert or report is never sent) and a line of the webhook's delivery log. An alert goes to
// the webhooks subscribed to its severity; a monthly report issued by the audit job goes to all of the company's.
import { newId } from "../domain/ids";
import type { Alert } from "../alerts/model";
import type { AlertTx } from "../alerts/schema";
import type { DeliveredEvent, Webhook, WebhookDelivery } from "./model";

export const WEBHOOK_OUTBOX_KIND = "webhook";

/** The outbox target of a webhook's deliveries: one target per endpoint, so each endpoint gets its events in order. */
export const webhookTarget = (webhook: string) => `webhook:${webhook}`;

/** What a webhook receives of an alert: the event, the delivery's id (the same on every retry) and the alert. */
export function alertEventBody(alert: Alert, delivery: string): string {
  const { id, company, code, severity, subject, seal, device, record, data, createdAt } = alert;
  return JSON.stringify({ event: "alert.raised", delivery, alert: { id, company, code, severity, subject, seal, device, record, data, raisedAt: createdAt } });
}

/** A monthly audit report as issued: its record (audit.report-issued), receipt, month, file format and SM3. */
export interface IssuedReportEvent {
  company: string;
  month: string;
  receipt: string;
  verifyUrl: string;
  format: string;
  reportHash: string;
  record: string;
  issuedAt: string;
}

/** What a webhook receives of an issued report: the event, the delivery's id and the report's receipt, month and SM3. */
export function reportEventBody(report: IssuedReportEvent, delivery: string): string {
  return JSON.stringify({ event: "audit.report-issued", delivery, report });
}

export async function enqueueAlertDeliveries(tx: AlertTx, alert: Alert): Promise<void> {
  const subscribed = (await tx.webhooks.list(alert.company)).filter((w) => w.severities.includes(alert.severity));
  for (const webhook of subscribed) await enqueue(tx, webhook, { event: "alert.raised", alert: alert.id }, alert.createdAt, (delivery) => alertEventBody(alert, delivery));
}

export async function enqueueReportDeliveries(tx: AlertTx, report: IssuedReportEvent): Promise<void> {
  for (const webhook of await tx.webhooks.list(report.company)) {
    await enqueue(tx, webhook, { event: "audit.report-issued", receipt: report.receipt }, report.issuedAt, (delivery) => reportEventBody(report, delivery));
  }
}

async function enqueue(tx: AlertTx, webhook: Webhook, event: DeliveredEvent, createdAt: string, body: (delivery: string) => string): Promise<void> {
  const delivery: WebhookDelivery = {
    id: newId("wd"),
    company: webhook.company,
    webhook: webhook.id,
    ...event,
    state: "pending",
    attempts: 0,
    lastAttemptAt: null,
    lastStatus: null,
    lastError: null,
    deliveredAt: null,
    createdAt,
  };
  await tx.webhookDeliveries.insert(delivery);
  await tx.outbox.add({ target: webhookTarget(webhook.id), kind: WEBHOOK_OUTBOX_KIND, payload: { webhook: webhook.id, delivery: delivery.id, body: body(delivery.id) } });
}
