// The parts of the page for a smart seal's stamp: its verdict (authorized, or a red warning with the record's reasons),
// its story as the browser verified it, and the published photo beside the check of its hash against the record.
import { h } from "./dom";
import { STAMP_WORDS, type StampWords } from "./i18n-stamp";
import { named, type Lang } from "./i18n";
import { card, facts, hash, notice, time } from "./parts";
import type { ReceiptBundle, ViewReport } from "../../service/evidence";

export type PhotoCheck = { kind: "none" } | { kind: "loading" } | { kind: "unavailable" } | { kind: "loaded"; src: string; hash: string };

/** The verdict box of a stamp whose record verified: authorized only when its whole story did, else the record's reasons. */
export function stampVerdict(lang: Lang, report: ViewReport, unauthorized: boolean): HTMLElement {
  const w = STAMP_WORDS[lang];
  if (!unauthorized) return notice("genuine", "✓", w.authorizedTitle, w.authorizedText);
  const reasons = report.stamp?.reasons ?? [];
  return notice(
    "failed unauthorized",
    "✗",
    w.unauthorizedTitle,
    w.unauthorizedText,
    h("ul", { class: "reasons", "data-testid": "reasons" }, ...(reasons.length > 0 ? reasons.map((r) => h("li", { "data-reason": r }, named(w.reasons, r))) : [h("li", {}, w.reasonUnknown)])),
    h("p", { class: "advice" }, w.unauthorizedAdvice),
  );
}

/** What the stamp's record says, and what its verified story established (nothing of it until the report is in). */
export function stampCard(lang: Lang, bundle: ReceiptBundle, receiptId: string, report: ViewReport | null, receiptIdLabel: string): HTMLElement {
  const w = STAMP_WORDS[lang];
  const { record } = bundle;
  const stamp = report?.stamp ?? null;
  const deviceAt = typeof record.data.deviceAt === "string" ? record.data.deviceAt : null;
  const approved = stamp?.requestDocumentHash ?? null;
  return card(
    w.stampSection,
    "stamp",
    facts([
      [w.stampTime, time(lang, new Date(record.at)), record.at],
      ...(deviceAt ? [[w.deviceTime, time(lang, new Date(deviceAt)), deviceAt] as [string, string, string]] : []),
      [receiptIdLabel, receiptId],
      [w.authorizedLabel, h("span", { "data-testid": "authorized", "data-authorized": String(stamp?.authorized === true && report?.ok === true) }, authorizedText(w, record.data.authorized, report))],
      [w.deviceModel, stamp?.deviceModel ?? w.notEstablished],
      [w.copyLabel, stamp?.copy ? h("span", { "data-testid": "copy" }, w.copy(stamp.copy.k, stamp.copy.n)) : w.notEstablished],
      [w.approvalLevel, stamp?.approvalLevel ? named(w.approvalLevels, stamp.approvalLevel) : w.notEstablished],
      [w.custody, stamp && stamp.custodyRoles.length > 0 ? stamp.custodyRoles.map((r) => named(w.custodyRoles, r)).join(lang === "zh" ? "、" : ", ") : w.notEstablished],
      ...(approved ? [[w.approvedDocumentHash, hash(approved)] as [string, Node]] : []),
      ...(report?.linked ?? []).map((l): [string, Node] => [named(w.linkedRoles, l.role), hash(l.hash)]),
    ]),
  );
}

/** Yes only once the whole story verified; the record's own "not authorized" is said as such. */
function authorizedText(w: StampWords, recorded: unknown, report: ViewReport | null): string {
  if (report?.ok === true && report.stamp?.authorized === true) return w.authorizedYes;
  return recorded === false ? w.authorizedRefused : w.authorizedNo;
}

/**
 * The published photo and whether its bytes hash, here, to the photo hash in the anchored record; the photo proves
 * something only when the record verified.
 */
export function photoCard(lang: Lang, photo: PhotoCheck, anchoredHash: string | null, recordVerified: boolean | null): HTMLElement {
  const w = STAMP_WORDS[lang];
  if (photo.kind === "none" || photo.kind === "loading") return card(w.photoSection, "photo", h("p", { class: "note", "data-photo": "loading" }, w.photoLoading));
  if (photo.kind === "unavailable") return card(w.photoSection, "photo", h("p", { class: "note", "data-photo": "unavailable" }, w.photoUnavailable));
  const outcome = photo.hash !== anchoredHash ? "mismatch" : recordVerified === false ? "untrusted" : recordVerified === null ? "checking" : "match";
  const text = { mismatch: w.photoMismatch, untrusted: w.photoUntrusted, checking: w.photoLoading, match: w.photoMatch }[outcome];
  return card(
    w.photoSection,
    "photo",
    h("p", { class: "note" }, w.photoIntro),
    h("img", { class: "stamp-photo", src: photo.src, alt: w.photoAlt }),
    h(
      "div",
      { class: `doc-result ${outcome === "match" ? "match" : "mismatch"}`, "data-photo": outcome, role: "status" },
      h("div", { class: "mark", "aria-hidden": "true" }, outcome === "match" ? "✓" : "✗"),
      h("div", {}, h("p", { class: "doc-verdict" }, text), h("p", { class: "doc-hash" }, w.photoComputed, " ", hash(photo.hash))),
    ),
  );
}
