// Renders the page from its model: one pure function of state and language, re-run on every change.
import { parseReceipt, verdictOf, type AnchoredFacts, type ReceiptBundle, type StepResult, type ViewReport } from "../../service/evidence";
import { h } from "./dom";
import { documentMatch } from "./document-check";
import { button, card, facts, hash, notice, time } from "./parts";
import { named, WORDS, type Lang, type Words } from "./i18n";
import { STAMP_WORDS } from "./i18n-stamp";
import { photoCard, stampCard, stampVerdict, type PhotoCheck } from "./stamp-view";
import type { PageConfig } from "./page-config";
import type { ReceiptFetch, SealFacts } from "./receipt-api";

export type Anchored = Extract<ReceiptFetch, { kind: "anchored" }>;

export type Phase =
  | { kind: "loading" }
  | { kind: "not-found" }
  | { kind: "unavailable"; rateLimited: boolean }
  | { kind: "unconfigured" }
  | { kind: "pending"; seal: SealFacts | null }
  | { kind: "verifying"; anchored: Anchored }
  | { kind: "verified"; anchored: Anchored; report: ViewReport };

export type DocumentCheck =
  | { kind: "none" }
  | { kind: "hashing"; name: string; size: number }
  /** Which of the receipt's hashes it matches is judged on render, against the report then in hand. */
  | { kind: "done"; name: string; size: number; hash: string };

export interface Model {
  lang: Lang;
  config: PageConfig;
  /** The JSON-RPC endpoint in use: the server's default until the visitor enters another. */
  rpcUrl: string;
  phase: Phase;
  document: DocumentCheck;
  /** A smart seal's published photo of the stamped page, fetched and hashed in the browser. */
  photo: PhotoCheck;
}

export interface Handlers {
  switchLang: () => void;
  retry: () => void;
  rerun: (rpcUrl: string) => void;
  checkFile: (file: File) => void;
}

/**
 * The page's verdict: evidence's, with "checking" while it runs ("genuine" is how the page says "verified"), and
 * "unauthorized" for a stamp whose record verified in every step but says it was not authorized.
 */
export type Verdict = "checking" | "genuine" | "unauthorized" | "failed" | "inconclusive";

export function pageVerdict(report: ViewReport | null): Verdict {
  if (report === null) return "checking";
  const failing = report.steps.filter((s) => !s.ok);
  if (failing.length > 0 && failing.every((s) => s.code === "STAMP_UNAUTHORIZED")) return "unauthorized";
  const verdict = verdictOf(report);
  return verdict === "verified" ? "genuine" : verdict;
}

export function render(root: HTMLElement, model: Model, on: Handlers): void {
  const w = WORDS[model.lang];
  const header = h("header", { class: "top" }, h("h1", {}, w.title), button(w.otherLang, on.switchLang, { class: "lang", lang: model.lang === "zh" ? "en" : "zh", "data-testid": "lang-switch" }));
  const main = h("main", {}, ...body(model, w, on));
  root.replaceChildren(header, main, h("footer", {}, w.footer));
}

function body(model: Model, w: Words, on: Handlers): Node[] {
  const { phase } = model;
  switch (phase.kind) {
    case "loading":
      return [notice("checking", "…", w.loading)];
    case "not-found":
      return [notice("not-found", "?", w.notFoundTitle, w.notFoundText)];
    case "unavailable":
      return [notice("unavailable", "!", w.unavailableTitle, phase.rateLimited ? w.rateLimitedText : w.unavailableText, button(w.retry, on.retry, { class: "primary" }))];
    case "unconfigured":
      return [notice("unavailable", "!", w.unavailableTitle, w.noDeployment)];
    case "pending":
      return [
        notice("pending", "…", w.pendingTitle, w.pendingText, button(w.retry, on.retry, { class: "primary", "data-testid": "retry" })),
        ...(phase.seal ? [sealCard(w, phase.seal, null, "checking")] : []),
      ];
    case "verifying":
    case "verified":
      return anchoredBody(model, w, on, phase.anchored, phase.kind === "verified" ? phase.report : null);
  }
}

function anchoredBody(model: Model, w: Words, on: Handlers, anchored: Anchored, report: ViewReport | null): Node[] {
  const parsed = parseReceipt(anchored.receipt);
  const bundle = parsed.ok ? parsed.bundle : null;
  const verdict = pageVerdict(report);
  const chain = chainCard(model, w, on);
  const stamp = bundle?.record.type === "seal.stamped";
  const photoHash = bundle && typeof bundle.record.data.photoHash === "string" ? bundle.record.data.photoHash : null;
  const recordVerified = verdict === "checking" ? null : verdict === "genuine" || verdict === "unauthorized";
  // When the chain could not be read, the endpoint to fix comes right under the verdict that says so.
  return [
    stamp && report && (verdict === "genuine" || verdict === "unauthorized") ? stampVerdict(model.lang, report, verdict === "unauthorized") : verdictBox(w, report, verdict),
    ...(verdict === "inconclusive" ? [chain] : []),
    ...(anchored.seal ? [sealCard(w, anchored.seal, report?.facts ?? null, verdict, !stamp)] : []),
    ...(bundle && stamp ? [stampCard(model.lang, bundle, model.config.receiptId, report, w.receiptId)] : []),
    ...(bundle && !stamp ? [usageCard(model, w, bundle, verdict, report)] : []),
    ...(stamp && anchored.photoUrl !== null ? [photoCard(model.lang, model.photo, photoHash, recordVerified)] : []),
    ...(bundle && (stamp || typeof bundle.record.data.documentHash === "string") ? [documentCard(model.lang, w, model.document, verdict, on, bundle, report)] : []),
    stepsCard(w, report),
    ...(bundle ? [anchorCard(model.lang, w, bundle, report)] : []),
    ...(verdict === "inconclusive" ? [] : [chain]),
  ];
}

function verdictBox(w: Words, report: ViewReport | null, verdict: Verdict): HTMLElement {
  if (report === null) return notice("checking", "…", w.verifying);
  if (verdict === "genuine") return notice("genuine", "✓", w.genuineTitle, w.genuineText);
  const index = report.steps.findIndex((s) => !s.ok);
  const step = report.steps[index];
  const meaning = meaningOf(w, step);
  if (verdict === "inconclusive") return notice("inconclusive", "!", w.inconclusiveTitle, w.inconclusiveText(meaning));
  return notice("failed", "✗", w.failedTitle, w.failedText(index + 1, w.stepNames[step.step], meaning), h("p", { class: "advice" }, w.failedAdvice));
}

/**
 * The seal and its company. Once the receipt verified, names and the credit code come from the anchored
 * registration records the browser checked; until then, and for the current status, from this service.
 */
function sealCard(w: Words, seal: SealFacts, anchored: AnchoredFacts | null, verdict: Verdict, usage = true): HTMLElement {
  const changed = seal.status !== "active" && seal.status !== "";
  const genuine = verdict === "genuine" || verdict === "unauthorized";
  const company = genuine ? anchored?.company ?? null : null;
  const sealFacts = genuine ? anchored?.seal ?? null : null;
  return card(
    w.sealSection,
    "seal",
    facts([
      [w.company, company ? company.name ?? w.notAnchored : seal.company],
      ...(company ? [[w.creditCode, company.creditCode ?? w.notAnchored] as [string, string]] : []),
      [w.sealName, sealFacts ? sealFacts.name ?? w.notAnchored : seal.name],
      [w.sealType, named(w.types, sealFacts?.sealType ?? seal.type)],
      [w.sealKind, named(w.kinds, sealFacts?.kind ?? seal.kind)],
      [w.statusNow, named(w.statuses, seal.status)],
      // Only a usage proves the seal was active: a smart seal records every stamp, authorized or not.
      ...(genuine && usage ? [[w.statusAtUse, w.statusAtUseNote] as [string, string]] : []),
    ]),
    changed && genuine ? h("p", { class: "warning" }, w.statusChangedNote(named(w.statuses, seal.status))) : null,
    genuine && company ? h("p", { class: "note", "data-facts": "anchored" }, w.anchoredFactsNote) : factsNote(w, verdict),
  );
}

function usageCard(model: Model, w: Words, bundle: ReceiptBundle, verdict: Verdict, report: ViewReport | null): HTMLElement {
  const { record } = bundle;
  const data = record.data;
  const roles = STAMP_WORDS[model.lang].linkedRoles;
  return card(
    w.usageSection,
    "usage",
    facts([
      [w.timeOfUse, time(model.lang, new Date(record.at)), record.at],
      [w.scenario, typeof data.scenario === "string" ? data.scenario : "—"],
      [w.receiptId, model.config.receiptId],
      [w.documentHash, hash(typeof data.documentHash === "string" ? data.documentHash : "—")],
      ...(typeof data.sourceDocumentHash === "string" ? [[w.sourceDocumentHash, hash(data.sourceDocumentHash)] as [string, Node]] : []),
      // Files linked to the usage since, once their own receipts verified.
      ...(report?.linked ?? []).map((l): [string, Node] => [named(roles, l.role), hash(l.hash)]),
    ]),
    typeof data.sourceDocumentHash === "string" ? h("p", { class: "note", "data-testid": "source-note" }, w.sourceDocumentNote) : null,
    verdict === "failed" ? factsNote(w, verdict) : null,
  );
}

function factsNote(w: Words, verdict: Verdict): HTMLElement {
  if (verdict === "genuine") return h("p", { class: "note" }, w.serverFactsNote);
  if (verdict === "failed") return h("p", { class: "warning" }, w.factsFailed);
  return h("p", { class: "note" }, w.factsUnverified);
}

function documentCard(lang: Lang, w: Words, doc: DocumentCheck, verdict: Verdict, on: Handlers, bundle: ReceiptBundle, report: ViewReport | null): HTMLElement {
  const input = h("input", { type: "file", class: "visually-hidden", "data-testid": "document-input" });
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) on.checkFile(file);
  });
  const zone = h("div", { class: "dropzone" }, h("label", { class: "button primary" }, input, w.documentPick), h("span", { class: "drop-hint" }, w.documentDrop));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (file) on.checkFile(file);
  });
  return card(w.documentSection, "document", h("p", {}, w.documentIntro), zone, documentResult(lang, w, doc, verdict, bundle, report));
}

/**
 * A match proves the file is the sealed one (or the original, the approved document, a linked scan or final PDF) only
 * when the record naming its hash verified; linked files and a stamp's approved document count only once verified.
 */
function documentResult(lang: Lang, w: Words, doc: DocumentCheck, verdict: Verdict, bundle: ReceiptBundle, report: ViewReport | null): HTMLElement | null {
  if (doc.kind === "none") return null;
  if (doc.kind === "hashing") return h("p", { class: "doc-result", "data-doc": "hashing", role: "status" }, w.documentHashing);
  const match = documentMatch(doc.hash, bundle, report?.stamp?.requestDocumentHash ?? null, report?.linked ?? []);
  const sw = STAMP_WORDS[lang];
  const outcome = match === null ? "mismatch" : verdict === "failed" ? "match-untrusted" : `match-${match.kind}`;
  const [mark, text] = {
    "match-sealed": ["✓", w.documentMatch],
    "match-source": ["✓", w.documentMatchSource],
    "match-approved": ["✓", sw.documentMatchApproved],
    "match-linked": ["✓", sw.documentMatchLinked(match?.kind === "linked" ? named(sw.linkedRoles, match.role) : "")],
    "match-untrusted": ["!", w.documentMatchUntrusted],
    mismatch: ["✗", w.documentMismatch],
  }[outcome] ?? ["✗", w.documentMismatch];
  return h(
    "div",
    { class: `doc-result ${outcome === "match-sealed" ? "match" : outcome}`, "data-doc": outcome === "match-sealed" ? "match" : outcome, ...(match?.kind === "linked" ? { "data-linked-role": match.role } : {}), role: "status" },
    h("div", { class: "mark", "aria-hidden": "true" }, mark),
    h(
      "div",
      {},
      h("p", { class: "doc-verdict" }, text),
      h("p", { class: "doc-file" }, w.documentFile(doc.name, doc.size)),
      h("p", { class: "doc-hash" }, w.documentComputed, " ", hash(doc.hash)),
      verdict === "checking" || verdict === "inconclusive" ? h("p", { class: "warning" }, w.documentReceiptUnsettled) : null,
    ),
  );
}

function stepsCard(w: Words, report: ViewReport | null): HTMLElement {
  if (report === null) return card(w.stepsSection, "steps", h("p", { class: "note" }, w.verifying));
  const firstFailed = report.steps.find((s) => !s.ok);
  return card(w.stepsSection, "steps", h("ol", { class: "steps" }, ...report.steps.map((s) => stepItem(w, s, s === firstFailed))));
}

function stepItem(w: Words, step: StepResult, first: boolean): HTMLElement {
  return h(
    "li",
    { class: `step ${step.ok ? "ok" : "bad"}${first ? " first-failure" : ""}`, "data-step": step.step, "data-ok": String(step.ok), ...(step.code ? { "data-code": step.code } : {}) },
    h("span", { class: "mark", "aria-label": step.ok ? "✓" : "✗" }, step.ok ? "✓" : "✗"),
    h(
      "div",
      {},
      h("p", { class: "step-name" }, w.stepNames[step.step]),
      h("p", { class: "step-text" }, step.ok ? w.passed[step.step] : meaningOf(w, step)),
      step.ok ? null : h("p", { class: "step-detail" }, h("code", {}, step.code ?? ""), " ", step.message),
    ),
  );
}

function anchorCard(lang: Lang, w: Words, bundle: ReceiptBundle, report: ViewReport | null): HTMLElement {
  const { anchor } = bundle;
  const onChain = report?.onChain ?? null;
  return card(
    w.anchorSection,
    "anchor",
    facts([
      [w.chainId, String(anchor.chainId)],
      [w.block, String(anchor.blockNumber)],
      [w.blockTime, onChain ? time(lang, new Date(onChain.anchoredAt * 1000)) : w.notRead],
      [w.txHash, hash(anchor.txHash)],
      [w.contract, hash(anchor.contract)],
    ]),
  );
}

function chainCard(model: Model, w: Words, on: Handlers): HTMLElement {
  const input = h("input", { id: "rpc-url", type: "text", inputmode: "url", autocomplete: "off", autocapitalize: "off", spellcheck: "false", "data-testid": "rpc-url" });
  input.value = model.rpcUrl;
  const form = h("form", { class: "rpc" }, h("label", { for: "rpc-url" }, w.rpcLabel), input, h("button", { type: "submit", class: "button", "data-testid": "rerun" }, w.rerun));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    on.rerun(input.value.trim());
  });
  const pinned = model.config.deployment;
  const deployment = pinned ? w.serviceDeployment(pinned.chainId, pinned.contract) : w.noDeployment;
  return card(
    w.chainSection,
    "chain",
    form,
    h("p", { class: "note" }, model.rpcUrl === "" ? w.rpcNone : w.rpcHint),
    h("p", { class: "note", "data-testid": "deployment" }, deployment),
  );
}

function meaningOf(w: Words, step: StepResult): string {
  return step.code ? w.failed[step.code] : "";
}
