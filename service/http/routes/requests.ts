// Seal use requests and their approval.
import { z } from "zod";
import { createRequestBody, ids, pageQuery } from "../schemas";
import { requestsPage, sealRequest } from "../responses";
import { createRequest, decideRequest, getRequest, listRequests } from "../../domain/requests";
import { confirmCustodyAndUnlock } from "../../devices/authorizations";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { DeviceContext } from "../../devices/context";

const requestParams = z.strictObject({ id: ids.request });

export function requestRoutes(api: Api, ctx: DomainContext, devices: () => DeviceContext): void {
  api.add({ method: "get", path: "/requests", tag: "requests", auth: "member", query: pageQuery, status: 200, summary: `A page of the requests visible to the caller (their own; every request: ${rolesText("request.read-all")})`, response: requestsPage }, async ({ actor, query }) => {
    const page = await listRequests(ctx, actor, query);
    return { requests: page.items, next: page.next };
  });
  api.add(
    { method: "post", path: "/requests", tag: "requests", auth: "member", body: createRequestBody, status: 201, summary: "Request to use a seal for a document", response: sealRequest },
    async ({ actor, body }) => createRequest(ctx, actor, body),
  );
  api.add({ method: "get", path: "/requests/:id", tag: "requests", auth: "member", params: requestParams, status: 200, summary: "One request", response: sealRequest }, async ({ actor, params }) =>
    getRequest(ctx, actor, params.id),
  );
  for (const decision of ["approve", "reject"] as const) {
    api.add(
      { method: "post", path: `/requests/:id/${decision}`, tag: "requests", auth: "member", stepUp: decision === "approve", params: requestParams, status: 200, summary: `${decision === "approve" ? "Approve" : "Reject"} a pending request at the scenario's level (dept_head level: ${rolesText("request.approve")}; legal_rep level: ${rolesText("request.approve-legal-rep-level")}; never one's own, but a sole legal_rep's at legal_rep level, flagged)`, response: sealRequest },
      async ({ actor, params }) => decideRequest(ctx, actor, params.id, decision),
    );
  }
  api.add(
    {
      method: "post", path: "/requests/:id/confirm-custody", tag: "requests", auth: "member", stepUp: true, params: requestParams, status: 200, response: sealRequest,
      summary: "Custodian or reviewer confirms custody of a physical seal; the second of the two, in either order, issues the device authorization (the request then names it) and sends the device a signed unlock",
    },
    async ({ actor, params }) => confirmCustodyAndUnlock(devices(), actor, params.id),
  );
}
