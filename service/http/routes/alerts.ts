// Alerts: a company's for its members (/alerts), the system's (the batcher's, the dev chain's) for the operator
// (/system/alerts); the same answers on both.
import { z } from "zod";
import { alertsQuery, ids, resolveAlertBody } from "../schemas";
import { alert as alertView, alertsPage } from "../responses";
import { acknowledgeAlert, getAlert, listAlerts, resolveAlert } from "../../alerts/handle";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const alertParams = z.strictObject({ id: ids.alert });

const LIST = "A page of alerts, oldest first, narrowed by severity, state, seal or device";
const ACKNOWLEDGE = "Acknowledge an open alert: someone is on it (alert.acknowledged; again: no change; resolved: ALERT_RESOLVED)";
const RESOLVE = "Resolve an open or acknowledged alert (alert.resolved); the note stays beside the alert, out of the log";

export function alertRoutes(api: Api, ctx: DomainContext): void {
  const readers = ` (${rolesText("alert.read")})`;
  const handlers = ` (${rolesText("alert.handle")})`;
  api.add({ method: "get", path: "/alerts", tag: "alerts", auth: "member", query: alertsQuery, status: 200, response: alertsPage, summary: `${LIST}${readers}` }, async ({ actor, query }) => {
    const { after, limit, ...filter } = query;
    const page = await listAlerts(ctx, actor, filter, { after, limit });
    return { alerts: page.items, next: page.next };
  });
  api.add({ method: "get", path: "/alerts/:id", tag: "alerts", auth: "member", params: alertParams, status: 200, response: alertView, summary: `One alert${readers}` }, async ({ actor, params }) =>
    getAlert(ctx, actor, params.id),
  );
  api.add(
    { method: "post", path: "/alerts/:id/acknowledge", tag: "alerts", auth: "member", params: alertParams, status: 200, response: alertView, summary: `${ACKNOWLEDGE}${handlers}` },
    async ({ actor, params }) => acknowledgeAlert(ctx, actor, params.id),
  );
  api.add(
    { method: "post", path: "/alerts/:id/resolve", tag: "alerts", auth: "member", params: alertParams, body: resolveAlertBody, status: 200, response: alertView, summary: `${RESOLVE}${handlers}` },
    async ({ actor, params, body }) => resolveAlert(ctx, actor, params.id, body.note),
  );

  const system = " of the system (the batcher's and the dev chain's; operator token)";
  api.add({ method: "get", path: "/system/alerts", tag: "alerts", auth: "operator", query: alertsQuery, status: 200, response: alertsPage, summary: `${LIST}${system}` }, async ({ query }) => {
    const { after, limit, ...filter } = query;
    const page = await listAlerts(ctx, "operator", filter, { after, limit });
    return { alerts: page.items, next: page.next };
  });
  api.add({ method: "get", path: "/system/alerts/:id", tag: "alerts", auth: "operator", params: alertParams, status: 200, response: alertView, summary: `One alert${system}` }, async ({ params }) =>
    getAlert(ctx, "operator", params.id),
  );
  api.add(
    { method: "post", path: "/system/alerts/:id/acknowledge", tag: "alerts", auth: "operator", params: alertParams, status: 200, response: alertView, summary: `${ACKNOWLEDGE}${system}` },
    async ({ params }) => acknowledgeAlert(ctx, "operator", params.id),
  );
  api.add(
    { method: "post", path: "/system/alerts/:id/resolve", tag: "alerts", auth: "operator", params: alertParams, body: resolveAlertBody, status: 200, response: alertView, summary: `${RESOLVE}${system}` },
    async ({ params, body }) => resolveAlert(ctx, "operator", params.id, body.note),
  );
}
