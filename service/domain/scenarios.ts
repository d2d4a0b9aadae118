// The scenario list (用章场景清单): which seal kinds and types a use may involve and who must approve it.
import { DomainError } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { getOwned } from "./lookup";
import { requirePower } from "./policy";
import { StoreConflictError } from "../store/port";
import type { Page, PageRequest } from "../store/port";
import type { Scenario, Seal } from "./model";

/** A scenario as members read it: every setting spelled out, those defined before a flag existed having it off. */
export type ScenarioView = Scenario & { publicPhotos: boolean };

export type DefineScenarioInput = Pick<ScenarioView, "code" | "name" | "sealKinds" | "sealTypes" | "approval" | "dualControl" | "publicPhotos">;

export async function defineScenario(ctx: DomainContext, actor: Actor, input: DefineScenarioInput): Promise<ScenarioView> {
  requirePower(actor, "scenario.define");
  const now = ctx.now();
  const scenario: ScenarioView = { id: newId("sc"), company: actor.company, ...input, sealKinds: [...new Set(input.sealKinds)], sealTypes: [...new Set(input.sealTypes)], createdAt: now.toISOString() };
  try {
    return await ctx.store.transaction(async (tx) => {
      await tx.scenarios.insert(scenario);
      const { code, sealKinds, sealTypes, approval, dualControl, publicPhotos } = scenario;
      await recordChange(tx, draft("scenario.defined", now, actor.company, scenario.id, actor.member.id, { code, sealKinds, sealTypes, approval, dualControl, publicPhotos }));
      return scenario;
    });
  } catch (err) {
    if (err instanceof StoreConflictError) throw new DomainError("SCENARIO_CODE_TAKEN", `scenario code ${input.code} is already defined`);
    throw err;
  }
}

export async function listScenarios(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<ScenarioView>> {
  requirePower(actor, "scenario.read");
  const found = await ctx.store.scenarios.page(actor.company, {}, page);
  return { ...found, items: found.items.map(withSettings) };
}

export async function getScenario(ctx: DomainContext, actor: Actor, id: string): Promise<ScenarioView> {
  requirePower(actor, "scenario.read");
  return withSettings(await getOwned(ctx.store, "scenarios", actor.company, id));
}

/** Whether the verify page may show the photos of this scenario's stamps (off unless the scenario says so). */
export function publishesPhotos(scenario: Scenario): boolean {
  return scenario.publicPhotos === true;
}

function withSettings(scenario: Scenario): ScenarioView {
  return { ...scenario, publicPhotos: publishesPhotos(scenario) };
}

export function scenarioAllows(scenario: Scenario, seal: Seal): boolean {
  return scenario.sealKinds.includes(seal.kind) && scenario.sealTypes.includes(seal.type);
}
