// Grants: who may use which seal for which scenarios, until when; giving one (legal_rep, dept_head within their own)
// and withdrawing one.
import type { Grant, Member, Scenario, Seal } from "../api";
import { memberName, type ScreenContext } from "../screen";
import { actions, badge, card, checkboxes, checkedValues, confirmButton, facts, field, formOf, input, list, select, submit, time, h } from "../ui";

export async function grantsScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const me = c.session.member.id;
  const [grants, seals, scenarios, members] = await Promise.all([
    c.api.all<Grant>("/grants", "grants"),
    c.api.all<Seal>("/seals", "seals"),
    c.api.all<Scenario>("/scenarios", "scenarios"),
    c.api.all<Member>("/members", "members"),
  ]);
  const now = Date.now();
  const items = [...grants].reverse().map((g) => {
    const live = !g.withdrawn && now < Date.parse(g.validTo);
    const mayWithdraw = !g.withdrawn && (c.can("grant.withdraw-any") || (g.givenBy === me && c.can("grant.withdraw-given")));
    return h(
      "article",
      { class: "item", "data-grant": g.id },
      h("h2", { class: "item-title" }, memberName(members, g.member), " · ", seals.find((s) => s.id === g.seal)?.name ?? g.seal, " ", badge(g.withdrawn ? w.withdrawn : live ? w.valid : w.expired, live ? "ok" : "muted")),
      facts([
        [w.scenario, g.scenarios.map((id) => scenarios.find((s) => s.id === id)?.name ?? id).join("、")],
        [w.validFrom, time(c.lang, g.validFrom)],
        [w.validTo, time(c.lang, g.validTo)],
        [w.uses, g.useLimit === null ? String(g.uses) : `${g.uses} / ${g.useLimit}`],
        [w.givenBy, memberName(members, g.givenBy)],
      ]),
      mayWithdraw ? actions(confirmButton(w.withdraw, w.confirmAction(w.withdraw), () => void c.act(w.grantWithdrawn, () => c.api.post(`/grants/${g.id}/withdraw`)), { "data-testid": "withdraw" })) : null,
    );
  });
  const out: Node[] = [list(items, w.noGrants)];
  if (c.can("grant.give")) out.push(card(w.giveGrant, giveForm(c, members, seals, scenarios)));
  return out;
}

function giveForm(c: ScreenContext, members: Member[], seals: Seal[], scenarios: Scenario[]): HTMLFormElement {
  const { w } = c;
  const member = select(members.filter((m) => m.active).map((m) => [m.id, m.name]), { name: "member" });
  const seal = select(seals.filter((s) => s.status === "active").map((s) => [s.id, s.name]), { name: "seal" });
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const from = input({ type: "date", name: "from", value: day(0), required: "" });
  const to = input({ type: "date", name: "to", value: day(365), required: "" });
  const limit = input({ type: "number", name: "limit", min: "1", inputmode: "numeric" });
  return formOf(
    (form) => {
      // A grant starting today starts now rather than at a midnight already past.
      const validFrom = from.value === day(0) ? new Date() : new Date(`${from.value}T00:00:00`);
      const body = {
        member: member.value, seal: seal.value, scenarios: checkedValues(form, "grant-scenarios"),
        validFrom: validFrom.toISOString(), validTo: new Date(`${to.value}T23:59:59.999`).toISOString(),
        useLimit: limit.value === "" ? null : Number(limit.value),
      };
      void c.act(w.grantGiven, () => c.api.post("/grants", body));
    },
    field(w.member, member),
    field(w.seal, seal),
    checkboxes(w.scenario, scenarios.map((s) => [s.id, s.name]), [], "grant-scenarios"),
    field(w.validFrom, from),
    field(w.validTo, to),
    field(w.useLimit, limit, w.useLimitHint),
    submit(w.giveGrant),
  );
}
