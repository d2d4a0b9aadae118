// The scenario list.
import { z } from "zod";
import { defineScenarioBody, ids, pageQuery } from "../schemas";
import { scenario, scenariosPage } from "../responses";
import { defineScenario, getScenario, listScenarios } from "../../domain/scenarios";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";

const scenarioParams = z.strictObject({ id: ids.scenario });

export function scenarioRoutes(api: Api, ctx: DomainContext): void {
  api.add({ method: "get", path: "/scenarios", tag: "scenarios", auth: "member", query: pageQuery, status: 200, summary: "A page of the scenarios", response: scenariosPage }, async ({ actor, query }) => {
    const page = await listScenarios(ctx, actor, query);
    return { scenarios: page.items, next: page.next };
  });
  api.add(
    { method: "post", path: "/scenarios", tag: "scenarios", auth: "member", body: defineScenarioBody, status: 201, summary: `Define a scenario (${rolesText("scenario.define")})`, response: scenario },
    async ({ actor, body }) => defineScenario(ctx, actor, body),
  );
  api.add({ method: "get", path: "/scenarios/:id", tag: "scenarios", auth: "member", params: scenarioParams, status: 200, summary: "One scenario", response: scenario }, async ({ actor, params }) =>
    getScenario(ctx, actor, params.id),
  );
}
