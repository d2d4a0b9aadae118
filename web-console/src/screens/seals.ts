// Seals: status and kind, custodian and reviewer of physical ones, and the lifecycle actions the member's powers
// allow for the seal's present status (suspend, resume, revoke, and for physical seals record destruction).
import type { Member, Seal } from "../api";
import type { Words } from "../i18n";
import { memberName, type ScreenContext } from "../screen";
import { actions, badge, button, confirmButton, facts, h, list } from "../ui";

type Transition = "suspend" | "resume" | "revoke" | "destroy";

const STATUS_TONE = { active: "ok", suspended: "warn", revoked: "bad", destroyed: "muted" } as const;

/** Which transitions a seal's status admits; the service refuses the rest. */
function transitionsOf(seal: Seal): Transition[] {
  const forKind = (t: Transition[]) => (seal.kind === "physical" ? t : t.filter((x) => x !== "destroy"));
  if (seal.status === "active") return forKind(["suspend", "revoke", "destroy"]);
  if (seal.status === "suspended") return forKind(["resume", "revoke", "destroy"]);
  if (seal.status === "revoked") return forKind(["destroy"]);
  return [];
}

export async function sealsScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const [seals, members] = await Promise.all([c.api.all<Seal>("/seals", "seals"), c.api.all<Member>("/members", "members")]);
  const items = seals.map((s) =>
    h(
      "article",
      { class: "item", "data-seal": s.id },
      h("h2", { class: "item-title" }, s.name, " ", badge(w.sealStatus[s.status], STATUS_TONE[s.status])),
      facts([
        [w.sealKind, w.sealKinds[s.kind]],
        [w.sealType, w.sealTypes[s.type]],
        [w.custodian, s.kind === "physical" ? memberName(members, s.custodian) : null],
        [w.reviewer, s.kind === "physical" ? memberName(members, s.reviewer) : null],
        [w.department, s.department],
        [w.replacedBy, s.replacedBy ? (seals.find((x) => x.id === s.replacedBy)?.name ?? s.replacedBy) : null],
      ]),
      actions(...transitionsOf(s).filter((t) => c.can(`seal.${t}`)).map((t) => transitionButton(c, w, s, t))),
    ),
  );
  return [list(items, w.noSeals)];
}

function transitionButton(c: ScreenContext, w: Words, seal: Seal, t: Transition): HTMLButtonElement {
  const run = () => void c.act(w.sealDone[t], () => c.api.post(`/seals/${seal.id}/${t}`));
  const attrs = { "data-testid": `seal-${t}` };
  return t === "suspend" || t === "resume" ? button(w.sealActions[t], run, attrs) : confirmButton(w.sealActions[t], w.confirmAction(w.sealActions[t]), run, attrs);
}
