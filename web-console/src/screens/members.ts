// Members: who they are and their roles; for administrators, adding a member, the one-time invitation link that lets
// them register a passkey, changing roles (a fresh passkey assertion is asked) and letting a member leave.
import type { Member } from "../api";
import type { ScreenContext } from "../screen";
import { actions, badge, button, card, checkboxes, checkedValues, confirmButton, facts, field, formOf, h, input, list, submit, time } from "../ui";

const ROLES = ["legal_rep", "seal_admin", "dept_head", "custodian", "reviewer", "employee", "auditor"] as const;

interface Invitation {
  id: string;
  member: string;
  url: string;
  expiresAt: string;
}

export async function membersScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const me = c.session.member.id;
  const members = await c.api.all<Member>("/members", "members");
  const mayInvite = c.can("member.invite");
  const mayEndSessions = c.can("session.revoke-other");
  const mayChangeRoles = c.can("member.roles");
  const mayRemove = c.can("member.leave");
  const invitationBox = h("div", { class: "invitation", role: "status", "aria-live": "polite" });

  const invite = async (m: Member) => {
    try {
      const made = await c.api.post<Invitation>(`/members/${m.id}/invitations`);
      showInvitation(c, invitationBox, m, made);
      invitationBox.scrollIntoView({ block: "nearest" });
    } catch (err) {
      await c.refused(err);
    }
  };

  const items = members.map((m) =>
    h(
      "article",
      { class: "item", "data-member": m.id },
      h("h2", { class: "item-title" }, m.name, m.id === me ? ` (${w.you})` : "", " ", m.active ? null : badge(w.left, "muted")),
      facts([
        [w.roles, m.roles.map((r) => w.roleNames[r]).join("、")],
        [w.department, m.department ?? "—"],
        [w.joined, time(c.lang, m.createdAt)],
      ]),
      m.active
        ? actions(
            mayInvite ? button(w.invite, () => void invite(m), { "data-testid": "invite" }) : null,
            mayEndSessions && m.id !== me ? confirmButton(w.endSessions, w.confirmAction(w.endSessions), () => void c.act((r: { ended: number }) => w.sessionsEnded(r.ended), () => c.api.delete(`/members/${m.id}/sessions`)), { "data-testid": "end-sessions" }) : null,
            mayRemove && m.id !== me ? confirmButton(w.leave, w.confirmAction(w.leave), () => void c.act(w.memberLeft, () => c.api.post(`/members/${m.id}/leave`)), { "data-testid": "leave" }) : null,
          )
        : null,
      m.active && mayChangeRoles ? rolesEditor(c, m) : null,
    ),
  );
  const out: Node[] = [invitationBox, list(items, w.noMembers)];
  if (c.can("member.add")) out.push(card(w.addMember, addForm(c)));
  return out;
}

function showInvitation(c: ScreenContext, box: HTMLElement, m: Member, made: Invitation): void {
  const { w } = c;
  const link = input({ readonly: "", value: made.url, "data-testid": "invitation-url" });
  const copy = button(w.copyLink, () => {
    void navigator.clipboard?.writeText(made.url).then(() => {
      copy.textContent = w.copied;
    });
  });
  box.replaceChildren(card(w.invitationFor(m.name), h("p", {}, w.invitationText(time(c.lang, made.expiresAt))), field(w.invitationLink, link), actions(copy)));
}

function rolesEditor(c: ScreenContext, m: Member): HTMLElement {
  const { w } = c;
  const department = input({ name: "department", value: m.department ?? "", maxlength: "64" });
  const form = formOf(
    (f) => {
      const body = { roles: checkedValues(f, "roles"), department: department.value.trim() === "" ? null : department.value.trim() };
      void c.act(w.rolesChanged, () => c.api.post(`/members/${m.id}/roles`, body));
    },
    checkboxes(w.roles, ROLES.map((r) => [r, w.roleNames[r]]), m.roles, "roles"),
    field(w.department, department),
    h("p", { class: "hint" }, w.stepUpNote),
    submit(w.saveRoles),
  );
  return h("details", { class: "editor" }, h("summary", {}, w.changeRoles), form);
}

/** Adds a member; the list then offers their invitation. */
function addForm(c: ScreenContext): HTMLFormElement {
  const { w } = c;
  const name = input({ name: "name", required: "", maxlength: "100", autocomplete: "off" });
  const department = input({ name: "department", maxlength: "64" });
  return formOf(
    (form) => {
      const body = { name: name.value, roles: checkedValues(form, "new-roles"), department: department.value.trim() === "" ? null : department.value.trim() };
      // The answer also carries an API key secret for integrations; the console offers an invitation instead.
      void c.act(w.memberAdded, () => c.api.post("/members", body));
    },
    field(w.memberName, name),
    checkboxes(w.roles, ROLES.map((r) => [r, w.roleNames[r]]), ["employee"], "new-roles"),
    field(w.department, department),
    submit(w.addMember),
  );
}
