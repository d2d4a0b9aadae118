// Members, roles and API keys.
import { z } from "zod";
import { addMemberBody, changeRolesBody, ids, pageQuery } from "../schemas";
import { addedMember, issuedKey, keysPage, keyView as keyViewSchema, member, membersPage } from "../responses";
import { addMember, changeRoles, getMember, listMembers, removeMember } from "../../domain/members";
import { issueKey, listKeys, revokeKey } from "../../domain/api-keys";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import type { ApiKey } from "../../domain/model";

const memberParams = z.strictObject({ id: ids.member });
const keyParams = z.strictObject({ id: ids.key });

const keyView = (k: ApiKey) => ({ id: k.id, member: k.member, prefix: k.prefix, revoked: k.revoked, createdAt: k.createdAt });

export function memberRoutes(api: Api, ctx: DomainContext): void {
  api.add({ method: "get", path: "/me", tag: "members", auth: "member", status: 200, summary: "The member the API key belongs to", response: member }, async ({ actor }) => actor.member);
  api.add({ method: "get", path: "/members", tag: "members", auth: "member", query: pageQuery, status: 200, summary: "A page of the company's members", response: membersPage }, async ({ actor, query }) => {
    const page = await listMembers(ctx, actor, query);
    return { members: page.items, next: page.next };
  });
  api.add(
    { method: "post", path: "/members", tag: "members", auth: "member", body: addMemberBody, status: 201, returnsSecret: true, summary: `Add a member (${rolesText("member.add")}; members with roles beyond employee and auditor: ${rolesText("member.add-empowered")}); the answer carries their first API key secret, shown once`, response: addedMember },
    async ({ actor, body }) => addMember(ctx, actor, body),
  );
  api.add({ method: "get", path: "/members/:id", tag: "members", auth: "member", params: memberParams, status: 200, summary: "One member", response: member }, async ({ actor, params }) =>
    getMember(ctx, actor, params.id),
  );
  api.add(
    { method: "post", path: "/members/:id/roles", tag: "members", auth: "member", stepUp: true, params: memberParams, body: changeRolesBody, status: 200, summary: `Change a member's roles and department (${rolesText("member.roles")}; one's own, an administrator's, or giving or taking a role beyond employee and auditor: ${rolesText("member.roles-empowered")})`, response: member },
    async ({ actor, params, body }) => changeRoles(ctx, actor, params.id, body.roles, body.department),
  );
  api.add(
    { method: "post", path: "/members/:id/leave", tag: "members", auth: "member", params: memberParams, status: 200, summary: `The member leaves: their grants, and those given under them, are withdrawn and keys stop working (${rolesText("member.leave")})`, response: member },
    async ({ actor, params }) => removeMember(ctx, actor, params.id),
  );
  api.add({ method: "get", path: "/members/:id/keys", tag: "members", auth: "member", params: memberParams, query: pageQuery, status: 200, summary: "A page of a member's API keys (never the secrets)", response: keysPage }, async ({ actor, params, query }) => {
    const page = await listKeys(ctx, actor, params.id, query);
    return { keys: page.items.map(keyView), next: page.next };
  });
  api.add(
    { method: "post", path: "/members/:id/keys", tag: "members", auth: "member", params: memberParams, status: 201, returnsSecret: true, summary: `Issue an API key (oneself; another member: ${rolesText("key.issue-other")}; a member holding powers: ${rolesText("key.issue-empowered")}); the answer carries the secret, shown once`, response: issuedKey },
    async ({ actor, params }) => issueKey(ctx, actor, params.id),
  );
  api.add({ method: "post", path: "/keys/:id/revoke", tag: "members", auth: "member", params: keyParams, status: 200, summary: `Revoke an API key (one's own; another member's: ${rolesText("key.revoke-other")}; a member's holding powers: ${rolesText("key.revoke-empowered")})`, response: keyViewSchema }, async ({ actor, params }) =>
    keyView(await revokeKey(ctx, actor, params.id)),
  );
}
