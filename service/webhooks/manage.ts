// A company's webhooks: created by an administrator (the secret shown once), listed, deleted, each change a record;
// and each one's delivery log.
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { draft, recordChange, type Actor, type DomainContext } from "../domain/context";
import { refuse } from "../domain/errors";
import { newId } from "../domain/ids";
import { getOwned } from "../domain/lookup";
import { requirePower } from "../domain/policy";
import type { Page, PageRequest } from "../store/port";
import type { AlertSeverity } from "../alerts/codes";
import type { Webhook, WebhookDelivery } from "./model";
import { checkWebhookUrl, type WebhookTargetPolicy } from "./targets";

/** Every alert costs a delivery per subscribed webhook, in its own transaction: a company keeps a few. */
export const WEBHOOKS_PER_COMPANY = 10;

export interface CreateWebhookInput {
  url: string;
  severities: AlertSeverity[];
}

export async function createWebhook(ctx: DomainContext, actor: Actor, input: CreateWebhookInput, policy: WebhookTargetPolicy): Promise<{ webhook: Webhook; secret: string }> {
  requirePower(actor, "webhook.manage");
  const checked = checkWebhookUrl(input.url, policy);
  if (!checked.ok) refuse("WEBHOOK_URL_REFUSED", checked.problem);
  const now = ctx.now();
  const secret = `whsec_${bs58.encode(randomBytes(32))}`;
  const webhook: Webhook = {
    id: newId("wh"),
    company: actor.company,
    url: checked.url.toString(),
    severities: [...new Set(input.severities)],
    secret,
    secretPrefix: secret.slice(0, 12),
    createdBy: actor.member.id,
    createdAt: now.toISOString(),
  };
  await ctx.store.transaction(async (tx) => {
    if ((await tx.webhooks.list(actor.company)).length >= WEBHOOKS_PER_COMPANY) refuse("WEBHOOK_LIMIT", `a company has at most ${WEBHOOKS_PER_COMPANY} webhooks; delete one first`);
    await tx.webhooks.insert(webhook);
    await recordChange(tx, draft("webhook.created", now, actor.company, webhook.id, actor.member.id, { severities: webhook.severities }));
  });
  return { webhook, secret };
}

export async function listWebhooks(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<Webhook>> {
  requirePower(actor, "webhook.read");
  return ctx.store.webhooks.page(actor.company, {}, page);
}

/** Its deliveries not yet made are abandoned as the deliverer reaches them. */
export async function deleteWebhook(ctx: DomainContext, actor: Actor, id: string): Promise<Webhook> {
  requirePower(actor, "webhook.manage");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const webhook = await getOwned(tx, "webhooks", actor.company, id);
    await tx.webhooks.delete(id);
    await recordChange(tx, draft("webhook.deleted", now, actor.company, id, actor.member.id));
    return webhook;
  });
}

/** The webhook's deliveries, oldest first, kept DELIVERY_LOG_KEPT_MS. */
export async function listDeliveries(ctx: DomainContext, actor: Actor, id: string, page: PageRequest): Promise<Page<WebhookDelivery>> {
  requirePower(actor, "webhook.read");
  await getOwned(ctx.store, "webhooks", actor.company, id);
  return ctx.store.webhookDeliveries.page(actor.company, { webhook: id }, page);
}
