// What waits for me: requests I may approve, custody of a physical seal I hold a key to, alerts to handle, and my
// own requests still waiting. The lists are the API's, narrowed to what concerns the member; the service still judges.
import type { Alert, Member, Scenario, Seal, SealRequest } from "../api";
import { alertText } from "../i18n";
import { offersCustody, offersDecision } from "../decisions";
import { hashOf } from "../routes";
import { memberName, type ScreenContext } from "../screen";
import { actions, badge, button, card, facts, h, list, time } from "../ui";

export async function inboxScreen(c: ScreenContext): Promise<Node[]> {
  const { w, session } = c;
  const me = session.member.id;
  const [requests, seals, scenarios, members, alerts] = await Promise.all([
    c.api.all<SealRequest>("/requests", "requests"),
    c.api.all<Seal>("/seals", "seals"),
    c.api.all<Scenario>("/scenarios", "scenarios"),
    c.api.all<Member>("/members", "members"),
    c.can("alert.handle") ? c.api.all<Alert>("/alerts?state=open", "alerts") : Promise.resolve([]),
  ]);
  const sealOf = (id: string) => seals.find((s) => s.id === id);
  const scenarioOf = (id: string) => scenarios.find((s) => s.id === id);
  const toApprove = requests.filter((r) => offersDecision(c, r, scenarioOf(r.scenario), members));
  const toConfirm = requests.filter((r) => offersCustody(c, r, sealOf(r.seal)));
  const mine = requests.filter((r) => r.member === me && (r.status === "pending" || (r.status === "approved" && sealOf(r.seal)?.kind === "physical" && r.authorization === undefined)));

  const requestFacts = (r: SealRequest) =>
    facts([
      [w.seal, sealOf(r.seal)?.name ?? r.seal],
      [w.scenario, scenarioOf(r.scenario)?.name ?? r.scenario],
      [w.requester, memberName(members, r.member)],
      [w.copies, String(r.copies)],
      [w.createdAt, time(c.lang, r.createdAt)],
    ]);
  const title = (r: SealRequest) => h("h3", {}, h("a", { href: hashOf("request", r.id) }, r.title));

  const approveItems = toApprove.map((r) =>
    h(
      "article",
      { class: "item", "data-request": r.id },
      title(r),
      requestFacts(r),
      h("p", { class: "reason" }, r.reason),
      actions(
        button(w.approve, () => void c.act(w.approved, () => c.api.post(`/requests/${r.id}/approve`)), { class: "primary", "data-testid": "approve" }),
        button(w.reject, () => void c.act(w.rejected, () => c.api.post(`/requests/${r.id}/reject`)), { "data-testid": "reject" }),
      ),
    ),
  );
  const confirmItems = toConfirm.map((r) => {
    const seal = sealOf(r.seal);
    const side = seal?.custodian === me ? w.asCustodian : w.asReviewer;
    return h(
      "article",
      { class: "item", "data-request": r.id },
      title(r),
      requestFacts(r),
      h("p", {}, side, " ", badge(w.custodyCount(r.custodyConfirmedBy.length), "info")),
      actions(button(w.confirmCustody, () => void c.act(w.custodyConfirmed, () => c.api.post(`/requests/${r.id}/confirm-custody`)), { class: "primary", "data-testid": "confirm-custody" })),
    );
  });
  const alertItems = alerts.map((a) =>
    h(
      "article",
      { class: "item", "data-alert": a.id },
      h("h3", {}, alertText(w, a.code)),
      facts([
        [w.severity, badge(w.severities[a.severity], a.severity === "critical" ? "bad" : "warn")],
        [w.createdAt, time(c.lang, a.createdAt)],
      ]),
      actions(h("a", { class: "button", href: hashOf("alerts") }, w.handleAlert)),
    ),
  );
  const mineItems = mine.map((r) => h("article", { class: "item" }, title(r), requestFacts(r), h("p", {}, badge(w.requestStatus[r.status], "info"))));

  const sections: Node[] = [];
  if (c.can("request.approve") || c.can("request.approve-legal-rep-level")) sections.push(card(w.inboxApprove, list(approveItems, w.nothingToApprove, { "data-testid": "to-approve" })));
  if (c.can("request.confirm-custody")) sections.push(card(w.inboxCustody, list(confirmItems, w.nothingToConfirm, { "data-testid": "to-confirm" })));
  if (c.can("alert.handle")) sections.push(card(w.inboxAlerts, list(alertItems, w.noOpenAlerts, { "data-testid": "open-alerts" })));
  if (c.can("request.create")) sections.push(card(w.inboxMine, list(mineItems, w.nothingWaiting), h("p", {}, h("a", { class: "button primary", href: hashOf("new") }, w.screens.new))));
  sections.unshift(h("p", { class: "greeting" }, w.greeting(session.member.name)));
  return sections;
}
