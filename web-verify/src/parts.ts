// The page's small building blocks: verdict notices, cards, label/value lists, hashes, times and buttons.
import { h } from "./dom";
import type { Lang } from "./i18n";

export function notice(kind: string, mark: string, title: string, text?: string, ...extra: Node[]): HTMLElement {
  return h(
    "section",
    { class: `verdict ${kind}`, "data-verdict": kind, role: "status", "aria-live": "polite" },
    h("div", { class: "mark", "aria-hidden": "true" }, mark),
    h("div", { class: "verdict-text" }, h("h2", {}, title), text ? h("p", {}, text) : null, ...extra),
  );
}

export function card(title: string, name: string, ...children: (Node | null)[]): HTMLElement {
  return h("section", { class: "card", "data-section": name }, h("h2", {}, title), ...children);
}

/** Label/value pairs; a third element is a tooltip with the exact value. */
export function facts(rows: Array<[string, string | Node] | [string, string, string]>): HTMLElement {
  return h("dl", { class: "facts" }, ...rows.flatMap(([label, value, exact]) => [h("dt", {}, label), h("dd", exact ? { title: exact } : {}, value)]));
}

export function hash(value: string): HTMLElement {
  return h("code", { class: "hash" }, value);
}

/** Date and time in the visitor's time zone, with its UTC offset: "2026年11月22日 16:00:00（GMT+8）". */
export function time(lang: Lang, date: Date): string {
  if (Number.isNaN(date.getTime())) return "—";
  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "medium" }).format(date);
  const zone = new Intl.DateTimeFormat(locale, { timeZoneName: "shortOffset" }).formatToParts(date).find((p) => p.type === "timeZoneName")?.value;
  if (!zone) return when;
  return lang === "zh" ? `${when}（${zone}）` : `${when} (${zone})`;
}

export function button(label: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const el = h("button", { type: "button", ...attrs, class: `button ${attrs.class ?? ""}`.trim() }, label);
  el.addEventListener("click", onClick);
  return el;
}
