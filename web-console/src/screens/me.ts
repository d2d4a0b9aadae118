// The signed-in member: who they are, their roles, and their open sessions (this one and others), each revocable.
import type { ScreenContext } from "../screen";
import { actions, badge, button, card, facts, h, list, time } from "../ui";

interface SessionItem {
  id: string;
  createdAt?: string;
  expiresAt?: string;
  lastSeenAt?: string | null;
  current?: boolean;
}

export async function meScreen(c: ScreenContext): Promise<Node[]> {
  const { w, session } = c;
  const answer = await c.api.get<{ sessions?: SessionItem[] }>("/auth/sessions");
  const sessions = answer.sessions ?? [];
  const items = sessions.map((s) => {
    const current = s.current === true || s.id === session.session.id;
    return h(
      "article",
      { class: "item", "data-session": s.id },
      h("h2", { class: "item-title" }, w.session, " ", current ? badge(w.thisSession, "info") : null),
      facts([
        [w.signedInAt, s.createdAt ? time(c.lang, s.createdAt) : null],
        [w.lastActive, s.lastSeenAt ? time(c.lang, s.lastSeenAt) : null],
        [w.expiresAt, s.expiresAt ? time(c.lang, s.expiresAt) : null],
      ]),
      current ? null : actions(button(w.revokeSession, () => void c.act(w.sessionRevoked, () => c.api.delete(`/auth/sessions/${encodeURIComponent(s.id)}`)))),
    );
  });
  return [
    card(
      null,
      facts([
        [w.memberName, session.member.name],
        [w.company, session.company.name],
        [w.roles, session.member.roles.map((r) => w.roleNames[r as keyof typeof w.roleNames] ?? r).join("、")],
        [w.expiresAt, time(c.lang, session.session.expiresAt)],
      ]),
    ),
    card(w.sessions, list(items, w.noSessions)),
  ];
}
