// A company's webhooks: create (the secret in that answer only), list, delete, and each one's delivery log.
import { z } from "zod";
import { createWebhookBody, ids, pageQuery } from "../schemas";
import { createdWebhook, webhook as webhookView, webhookDeliveriesPage, webhooksPage } from "../responses";
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks } from "../../webhooks/manage";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { Webhook } from "../../webhooks/model";
import type { WebhookTargetPolicy } from "../../webhooks/targets";

const webhookParams = z.strictObject({ id: ids.webhook });

/** What leaves the service of a webhook: everything but its secret. */
function viewOf(webhook: Webhook): z.input<typeof webhookView> {
  const { secret: _hidden, ...view } = webhook;
  return view;
}

export function webhookRoutes(api: Api, ctx: DomainContext, targets: WebhookTargetPolicy): void {
  api.add({ method: "get", path: "/webhooks", tag: "webhooks", auth: "member", query: pageQuery, status: 200, response: webhooksPage, summary: `A page of the company's webhooks (${rolesText("webhook.read")})` }, async ({ actor, query }) => {
    const page = await listWebhooks(ctx, actor, query);
    return { webhooks: page.items.map(viewOf), next: page.next };
  });
  api.add(
    {
      method: "post", path: "/webhooks", tag: "webhooks", auth: "member", body: createWebhookBody, status: 201, returnsSecret: true, response: createdWebhook,
      summary: `Subscribe an HTTPS endpoint to the company's alerts of the given severities (${rolesText("webhook.manage")}); each delivery is signed with the secret in this answer, which is shown once`,
    },
    async ({ actor, body }) => {
      const created = await createWebhook(ctx, actor, body, targets);
      return { webhook: viewOf(created.webhook), secret: created.secret };
    },
  );
  api.add(
    { method: "post", path: "/webhooks/:id/delete", tag: "webhooks", auth: "member", params: webhookParams, status: 200, response: webhookView, summary: `Delete a webhook: deliveries not yet made are abandoned (${rolesText("webhook.manage")})` },
    async ({ actor, params }) => viewOf(await deleteWebhook(ctx, actor, params.id)),
  );
  api.add(
    {
      method: "get", path: "/webhooks/:id/deliveries", tag: "webhooks", auth: "member", params: webhookParams, query: pageQuery, status: 200, response: webhookDeliveriesPage,
      summary: `A page of a webhook's deliveries, oldest first, kept 30 days: state, attempts, the last status or error (${rolesText("webhook.read")})`,
    },
    async ({ actor, params, query }) => {
      const page = await listDeliveries(ctx, actor, params.id, query);
      return { deliveries: page.items, next: page.next };
    },
  );
}
