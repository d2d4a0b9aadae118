// Grants.
import { z } from "zod";
import { giveGrantBody, ids, pageQuery } from "../schemas";
import { grant, grantsPage } from "../responses";
import { getGrant, giveGrant, listGrants, withdrawGrant } from "../../domain/grants";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const grantParams = z.strictObject({ id: ids.grant });

export function grantRoutes(api: Api, ctx: DomainContext): void {
  api.add({ method: "get", path: "/grants", tag: "grants", auth: "member", query: pageQuery, status: 200, summary: `A page of the grants visible to the caller (those they hold or gave; every grant: ${rolesText("grant.read-all")})`, response: grantsPage }, async ({ actor, query }) => {
    const page = await listGrants(ctx, actor, query);
    return { grants: page.items, next: page.next };
  });
  api.add(
    { method: "post", path: "/grants", tag: "grants", auth: "member", body: giveGrantBody, status: 201, summary: `Give a grant (${rolesText("grant.give")}; beyond a grant of one's own: ${rolesText("grant.give-unbounded")})`, response: grant },
    async ({ actor, body }) => giveGrant(ctx, actor, body),
  );
  api.add({ method: "get", path: "/grants/:id", tag: "grants", auth: "member", params: grantParams, status: 200, summary: "One grant", response: grant }, async ({ actor, params }) =>
    getGrant(ctx, actor, params.id),
  );
  api.add({ method: "post", path: "/grants/:id/withdraw", tag: "grants", auth: "member", params: grantParams, status: 200, summary: `Withdraw a grant and every grant given under it (its giver; any grant: ${rolesText("grant.withdraw-any")})`, response: grant }, async ({ actor, params }) =>
    withdrawGrant(ctx, actor, params.id),
  );
}
