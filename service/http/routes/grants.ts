// Grants.
import { z } from "zod";
import { giveGrantBody, ids } from "../schemas";
import { getGrant, giveGrant, listGrants, withdrawGrant } from "../../domain/grants";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const grantParams = z.strictObject({ id: ids.grant });
type GrantParams = z.infer<typeof grantParams>;

export function grantRoutes(api: Api, ctx: DomainContext): void {
  api.add({ method: "get", path: "/grants", tag: "grants", auth: "member", status: 200, summary: "List grants visible to the caller", responds: "{ grants }" }, async ({ actor }) => ({
    grants: await listGrants(ctx, actor),
  }));
  api.add<unknown, unknown, z.infer<typeof giveGrantBody>>(
    { method: "post", path: "/grants", tag: "grants", auth: "member", body: giveGrantBody, status: 201, summary: `Give a grant (${rolesText("grant.give")}; beyond a grant of one's own: ${rolesText("grant.give-unbounded")})`, responds: "the grant" },
    async ({ actor, body }) => giveGrant(ctx, actor, body),
  );
  api.add<GrantParams>({ method: "get", path: "/grants/:id", tag: "grants", auth: "member", params: grantParams, status: 200, summary: "One grant", responds: "the grant" }, async ({ actor, params }) =>
    getGrant(ctx, actor, params.id),
  );
  api.add<GrantParams>({ method: "post", path: "/grants/:id/withdraw", tag: "grants", auth: "member", params: grantParams, status: 200, summary: `Withdraw a grant and every grant given under it (its giver; any grant: ${rolesText("grant.withdraw-any")})`, responds: "the grant" }, async ({ actor, params }) =>
    withdrawGrant(ctx, actor, params.id),
  );
}
