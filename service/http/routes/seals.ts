// Seals and their lifecycle.
import { z } from "zod";
import { ids, pageQuery, registerSealBody } from "../schemas";
import { replacedSeal, seal, sealsPage } from "../responses";
import { changeSealStatus, getSeal, listSeals, registerSeal, replaceSeal, type SealTransition } from "../../domain/seals";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const sealParams = z.strictObject({ id: ids.seal });

const TRANSITION_SUMMARIES: Record<SealTransition, string> = {
  suspend: "Suspend an active seal",
  resume: "Resume a suspended seal",
  revoke: "Revoke a seal for good",
  destroy: "Record the destruction of a physical seal (no open request allowed)",
};

export function sealRoutes(api: Api, ctx: DomainContext): void {
  api.add({ method: "get", path: "/seals", tag: "seals", auth: "member", query: pageQuery, status: 200, summary: "A page of the company's seals", response: sealsPage }, async ({ actor, query }) => {
    const page = await listSeals(ctx, actor, query);
    return { seals: page.items, next: page.next };
  });
  api.add(
    { method: "post", path: "/seals", tag: "seals", auth: "member", body: registerSealBody, status: 201, summary: `Register a seal (${rolesText("seal.register")}; electronic: SM2 public key; physical: device, custodian, reviewer)`, response: seal },
    async ({ actor, body }) => registerSeal(ctx, actor, body),
  );
  api.add({ method: "get", path: "/seals/:id", tag: "seals", auth: "member", params: sealParams, status: 200, summary: "One seal", response: seal }, async ({ actor, params }) =>
    getSeal(ctx, actor, params.id),
  );
  for (const transition of Object.keys(TRANSITION_SUMMARIES) as SealTransition[]) {
    api.add(
      { method: "post", path: `/seals/:id/${transition}`, tag: "seals", auth: "member", params: sealParams, status: 200, summary: `${TRANSITION_SUMMARIES[transition]} (${rolesText(`seal.${transition}`)})`, response: seal },
      async ({ actor, params }) => changeSealStatus(ctx, actor, params.id, transition),
    );
  }
  api.add(
    { method: "post", path: "/seals/:id/replace", tag: "seals", auth: "member", params: sealParams, body: registerSealBody, status: 201, summary: `Register a successor and revoke this seal together (${rolesText("seal.replace")})`, response: replacedSeal },
    async ({ actor, params, body }) => replaceSeal(ctx, actor, params.id, body),
  );
}
