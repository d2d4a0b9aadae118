// Scenarios (用章场景): the list, and for administrators the form that defines a new one.
import type { Scenario } from "../api";
import type { ScreenContext } from "../screen";
import { badge, card, checkboxes, checkedValues, facts, field, formOf, h, input, list, select, submit } from "../ui";

const KINDS = ["electronic", "physical"] as const;
const TYPES = ["official", "contract", "finance", "invoice", "legal_rep", "other"] as const;
const LEVELS = ["none", "dept_head", "legal_rep"] as const;

export async function scenariosScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const scenarios = await c.api.all<Scenario>("/scenarios", "scenarios");
  const items = scenarios.map((s) =>
    h(
      "article",
      { class: "item", "data-scenario": s.id },
      h("h2", { class: "item-title" }, s.name, " ", badge(s.code, "info")),
      facts([
        [w.approvalLevel, w.approvalLevels[s.approval]],
        [w.sealKind, s.sealKinds.map((k) => w.sealKinds[k]).join("、")],
        [w.sealType, s.sealTypes.map((t) => w.sealTypes[t]).join("、")],
        [w.dualControl, s.dualControl ? w.yes : w.no],
      ]),
    ),
  );
  const out: Node[] = [list(items, w.noScenarios)];
  if (c.can("scenario.define")) out.push(card(w.defineScenario, defineForm(c)));
  return out;
}

function defineForm(c: ScreenContext): HTMLFormElement {
  const { w } = c;
  const code = input({ name: "code", required: "", pattern: "[A-Za-z0-9_.\\-]{1,40}", autocomplete: "off" });
  const name = input({ name: "name", required: "", maxlength: "100" });
  const approval = select(LEVELS.map((l) => [l, w.approvalLevels[l]]), { name: "approval" }, "dept_head");
  const dual = h("input", { type: "checkbox", name: "dualControl" });
  return formOf(
    (form) => {
      const body = { code: code.value, name: name.value, approval: approval.value, sealKinds: checkedValues(form, "kinds"), sealTypes: checkedValues(form, "types"), dualControl: dual.checked };
      void c.act(w.scenarioDefined, () => c.api.post("/scenarios", body));
    },
    field(w.scenarioCode, code, w.scenarioCodeHint),
    field(w.scenarioName, name),
    field(w.approvalLevel, approval),
    checkboxes(w.sealKind, KINDS.map((k) => [k, w.sealKinds[k]]), KINDS, "kinds"),
    checkboxes(w.sealType, TYPES.map((t) => [t, w.sealTypes[t]]), ["contract"], "types"),
    h("label", { class: "check" }, dual, w.dualControl),
    submit(w.defineScenario),
  );
}
