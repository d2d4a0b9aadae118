// A new request: a seal and scenario of the member's own grants, the document's SM3 computed here in the browser
// (the file never leaves it: only the hash is sent), a title, a reason and the number of copies.
import { fileSm3Hex } from "../document-hash";
import type { Grant, Scenario, Seal, SealRequest } from "../api";
import { hashOf } from "../routes";
import type { ScreenContext } from "../screen";
import { card, field, formOf, h, hash, input, select, submit } from "../ui";

export async function newRequestScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const me = c.session.member.id;
  const [grants, seals, scenarios] = await Promise.all([c.api.all<Grant>("/grants", "grants"), c.api.all<Seal>("/seals", "seals"), c.api.all<Scenario>("/scenarios", "scenarios")]);
  const now = Date.now();
  const usable = grants.filter((g) => g.member === me && !g.withdrawn && Date.parse(g.validFrom) <= now && now < Date.parse(g.validTo) && (g.useLimit === null || g.uses < g.useLimit));
  const sealChoices = seals.filter((s) => s.status === "active" && usable.some((g) => g.seal === s.id));
  if (sealChoices.length === 0) return [card(null, h("p", {}, w.noUsableGrants))];

  const scenariosFor = (sealId: string): Scenario[] => {
    const seal = seals.find((s) => s.id === sealId);
    const allowed = new Set(usable.filter((g) => g.seal === sealId).flatMap((g) => g.scenarios));
    return scenarios.filter((s) => allowed.has(s.id) && seal !== undefined && s.sealKinds.includes(seal.kind) && s.sealTypes.includes(seal.type));
  };
  const sealSelect = select(sealChoices.map((s) => [s.id, `${s.name} · ${w.sealKinds[s.kind]}`]), { name: "seal", required: "" });
  const scenarioSelect = select([], { name: "scenario", required: "" });
  const fillScenarios = () => {
    scenarioSelect.replaceChildren(...scenariosFor(sealSelect.value).map((s) => h("option", { value: s.id }, `${s.name} · ${w.approvalLevels[s.approval]}`)));
  };
  sealSelect.addEventListener("change", fillScenarios);
  fillScenarios();

  let documentHash: string | null = null;
  const title = input({ name: "title", required: "", maxlength: "200", autocomplete: "off" });
  const reason = h("textarea", { name: "reason", required: "", maxlength: "1000", rows: "3" });
  const copies = input({ type: "number", name: "copies", min: "1", max: "1000", value: "1", inputmode: "numeric", required: "" });
  const fileInput = input({ type: "file", id: "document-file", class: "visually-hidden", "data-testid": "document-input" });
  const result = h("div", { class: "doc-result", role: "status", "aria-live": "polite" });
  const problem = h("p", { class: "error", role: "alert" });

  async function take(file: File): Promise<void> {
    documentHash = null;
    result.replaceChildren(h("p", {}, w.hashing(file.name)));
    // Let "computing" paint before hashing a large file holds the page.
    await new Promise((resolve) => setTimeout(resolve, 16));
    documentHash = await fileSm3Hex(file);
    result.replaceChildren(h("p", {}, w.documentTaken(file.name, file.size)), h("p", {}, w.documentHash, " ", hash(documentHash)), h("p", { class: "hint" }, w.documentStaysHere));
    if (title.value === "") title.value = file.name.replace(/\.[^.]+$/, "");
  }
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) void take(file);
  });
  const zone = h("label", { class: "drop", for: fileInput.id, "data-testid": "drop-zone" }, h("strong", {}, w.dropDocument), h("span", {}, w.dropDocumentHint));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const file = event.dataTransfer?.files[0];
    if (file) void take(file);
  });

  const form = formOf(
    () => {
      problem.textContent = "";
      if (documentHash === null) {
        problem.textContent = w.documentMissing;
        return;
      }
      const body = { seal: sealSelect.value, scenario: scenarioSelect.value, documentHash, title: title.value, reason: reason.value, copies: Number(copies.value) };
      void c.act(w.requestCreated, async () => {
        const created = await c.api.post<SealRequest>("/requests", body);
        c.go(hashOf("request", created.id));
      });
    },
    field(w.seal, sealSelect),
    field(w.scenario, scenarioSelect),
    h("div", { class: "field" }, h("span", { class: "label", id: "document-label" }, w.document), zone, fileInput, result),
    field(w.title, title),
    field(w.reason, reason),
    field(w.copies, copies, w.copiesHint),
    problem,
    submit(w.submitRequest),
  );
  return [card(null, form)];
}
