// Requests: the list the member may read, and one request with its history (created, decided, custody confirmed,
// authorization issued) and the receipts of its stamps, each a link to its public verify page.
import { ApiFailure, type Authorization, type Member, type Scenario, type Seal, type SealRequest } from "../api";
import { offersCustody, offersDecision } from "../decisions";
import type { Words } from "../i18n";
import { hashOf } from "../routes";
import { memberName, type ScreenContext } from "../screen";
import { actions, badge, button, card, facts, h, hash, list, time, verifyLink } from "../ui";

const STATUS_TONE = { pending: "warn", approved: "ok", rejected: "bad", used: "muted" } as const;

export async function requestsScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const [requests, seals, members] = await Promise.all([c.api.all<SealRequest>("/requests", "requests"), c.api.all<Seal>("/seals", "seals"), c.api.all<Member>("/members", "members")]);
  const items = [...requests].reverse().map((r) =>
    h(
      "article",
      { class: "item", "data-request": r.id },
      h("h2", { class: "item-title" }, h("a", { href: hashOf("request", r.id) }, r.title), " ", badge(w.requestStatus[r.status], STATUS_TONE[r.status])),
      facts([
        [w.seal, seals.find((s) => s.id === r.seal)?.name ?? r.seal],
        [w.requester, memberName(members, r.member)],
        [w.createdAt, time(c.lang, r.createdAt)],
      ]),
    ),
  );
  return [c.can("request.create") ? h("p", {}, h("a", { class: "button primary", href: hashOf("new") }, w.screens.new)) : null, list(items, w.noRequests)].filter((n): n is HTMLElement => n !== null);
}

export async function requestScreen(c: ScreenContext, id: string | null): Promise<Node[]> {
  const { w } = c;
  const r = await c.api.get<SealRequest>(`/requests/${encodeURIComponent(id ?? "")}`);
  const [seal, scenario, members] = await Promise.all([
    c.api.get<Seal>(`/seals/${r.seal}`),
    c.api.get<Scenario>(`/scenarios/${r.scenario}`),
    c.api.all<Member>("/members", "members"),
  ]);
  const authorization = r.authorization ? await readAuthorization(c, r.authorization) : null;
  const who = (m: string | null) => memberName(members, m);

  const mayDecide = offersDecision(c, r, scenario, members);
  const mayConfirm = offersCustody(c, r, seal);

  const summary = card(
    r.title,
    h("p", {}, badge(w.requestStatus[r.status], STATUS_TONE[r.status])),
    facts([
      [w.seal, `${seal.name} · ${w.sealKinds[seal.kind]}`],
      [w.scenario, `${scenario.name} · ${w.approvalLevels[scenario.approval]}`],
      [w.requester, who(r.member)],
      [w.reason, r.reason],
      [w.copies, String(r.copies)],
      [w.documentHash, hash(r.documentHash)],
    ]),
    mayDecide || mayConfirm
      ? actions(
          mayDecide ? button(w.approve, () => void c.act(w.approved, () => c.api.post(`/requests/${r.id}/approve`)), { class: "primary", "data-testid": "approve" }) : null,
          mayDecide ? button(w.reject, () => void c.act(w.rejected, () => c.api.post(`/requests/${r.id}/reject`)), { "data-testid": "reject" }) : null,
          mayConfirm ? button(w.confirmCustody, () => void c.act(w.custodyConfirmed, () => c.api.post(`/requests/${r.id}/confirm-custody`)), { class: "primary", "data-testid": "confirm-custody" }) : null,
        )
      : null,
  );
  const history = card(w.history, h("ol", { class: "timeline" }, ...timeline(w, c.lang, r, who, authorization).map((step) => h("li", {}, step))));
  const receipts = authorization ? card(w.receipts, receiptList(w, authorization)) : null;
  return [summary, history, receipts].filter((n): n is HTMLElement => n !== null);
}

async function readAuthorization(c: ScreenContext, id: string): Promise<Authorization | null> {
  try {
    return await c.api.get<Authorization>(`/authorizations/${id}`);
  } catch (err) {
    // Only the requester and those who read every request may see the authorization; the others see that it exists.
    if (err instanceof ApiFailure && (err.status === 403 || err.status === 404)) return null;
    throw err;
  }
}

function timeline(w: Words, lang: ScreenContext["lang"], r: SealRequest, who: (m: string | null) => string, authorization: Authorization | null): string[] {
  const steps = [w.historyCreated(who(r.member), time(lang, r.createdAt))];
  if (r.status === "rejected") steps.push(w.historyRejected(who(r.decidedBy)));
  else if (r.decidedBy !== null) steps.push(w.historyApproved(who(r.decidedBy)));
  for (const m of r.custodyConfirmedBy) steps.push(w.historyCustody(who(m)));
  if (r.authorization) steps.push(authorization ? w.historyAuthorized(authorization.copies, time(lang, authorization.validUntil)) : w.historyAuthorizedHidden);
  if (authorization) steps.push(w.historyStamped(authorization.usedReceipts.length, authorization.copies));
  if (r.status === "used") steps.push(w.historyUsed);
  return steps;
}

function receiptList(w: Words, authorization: Authorization): HTMLElement {
  const items = authorization.receipts.map((receipt) => h("span", {}, verifyLink(receipt), " ", authorization.usedReceipts.includes(receipt) ? badge(w.stamped, "ok") : badge(w.notStamped, "muted")));
  return list(items, w.noReceipts);
}
