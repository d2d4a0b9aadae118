// Seals: status and kind, custodian and reviewer of physical ones, and the lifecycle actions the member's powers
// allow for the seal's present status (suspend, resume, revoke, and for physical seals record destruction).
import type { Device, Member, Seal } from "../api";
import type { Words } from "../i18n";
import { memberName, type ScreenContext } from "../screen";
import { actions, badge, button, card, confirmButton, facts, field, formOf, h, input, list, select, submit } from "../ui";

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
  const out: Node[] = [list(items, w.noSeals)];
  if (c.can("seal.register")) out.push(card(w.registerSeal, registerForm(c, members, c.can("device.read") ? await c.api.all<Device>("/devices", "devices") : [])));
  return out;
}

const TYPES = ["official", "contract", "finance", "invoice", "legal_rep", "other"] as const;

/**
 * Registers a seal: an electronic one by the SM2 public key its holder made (`sealproof keygen`; the private key never
 * comes here), a physical one onto an enrolled device that holds no seal yet, with its custodian and reviewer.
 */
function registerForm(c: ScreenContext, members: Member[], devices: Device[]): HTMLFormElement {
  const { w } = c;
  const kind = select([["electronic", w.sealKinds.electronic], ["physical", w.sealKinds.physical]], { name: "kind" });
  const type = select(TYPES.map((t) => [t, w.sealTypes[t]]), { name: "type" }, "contract");
  const name = input({ name: "name", required: "", maxlength: "100" });
  const publicKey = h("textarea", { name: "publicKey", rows: "3", spellcheck: "false", autocomplete: "off" });
  const people = members.filter((m) => m.active).map((m): [string, string] => [m.id, m.name]);
  const device = select(devices.filter((d) => d.seal === null && d.status === "active").map((d) => [d.id, `${d.model} · ${d.serial}`]), { name: "device" });
  const custodian = select(people, { name: "custodian" });
  const reviewer = select(people, { name: "reviewer" });
  const electronicFields = h("div", {}, field(w.publicKey, publicKey, w.publicKeyHint));
  const physicalFields = h("div", { hidden: "" }, field(w.device, device), field(w.custodian, custodian), field(w.reviewer, reviewer));
  kind.addEventListener("change", () => {
    electronicFields.hidden = kind.value !== "electronic";
    physicalFields.hidden = kind.value !== "physical";
  });
  return formOf(
    () => {
      const common = { kind: kind.value, type: type.value, name: name.value };
      const body = kind.value === "electronic" ? { ...common, publicKey: publicKey.value.trim().toLowerCase() } : { ...common, device: device.value, custodian: custodian.value, reviewer: reviewer.value };
      void c.act(w.sealRegistered, () => c.api.post("/seals", body));
    },
    field(w.sealKind, kind),
    field(w.sealType, type),
    field(w.sealName, name),
    electronicFields,
    physicalFields,
    submit(w.registerSeal),
  );
}

function transitionButton(c: ScreenContext, w: Words, seal: Seal, t: Transition): HTMLButtonElement {
  const run = () => void c.act(w.sealDone[t], () => c.api.post(`/seals/${seal.id}/${t}`));
  const attrs = { "data-testid": `seal-${t}` };
  return t === "suspend" || t === "resume" ? button(w.sealActions[t], run, attrs) : confirmButton(w.sealActions[t], w.confirmAction(w.sealActions[t]), run, attrs);
}
