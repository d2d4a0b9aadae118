// Small DOM pieces every screen uses: buttons, labelled fields, fact lists, badges and a two-step confirmation.
// Text always goes in as text nodes (h from the verify page), so nothing the server sends can become markup.
import { h } from "../../web-verify/src/dom";
import type { Lang } from "./i18n";

export { h };

type Attrs = Record<string, string>;

export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const el = h("button", { type: "button", ...attrs, class: `button ${attrs.class ?? ""}`.trim() }, label);
  el.addEventListener("click", onClick);
  return el;
}

/**
 * An irreversible action: the first press turns the button into "confirm", the second acts. A native confirm()
 * would be one more dialog on a phone and is dismissed unseen by some embedded browsers.
 */
export function confirmButton(label: string, confirmLabel: string, onConfirm: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const el = button(label, () => {
    if (el.dataset.armed === "true") {
      onConfirm();
      return;
    }
    el.dataset.armed = "true";
    el.textContent = confirmLabel;
    el.classList.add("danger");
  }, attrs);
  return el;
}

let fieldCount = 0;

/** A labelled control: the label names the control for screen readers; `hint` is read with it. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const hintEl = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

export function input(attrs: Attrs = {}): HTMLInputElement {
  return h("input", { type: "text", ...attrs });
}

export function select(options: Array<[value: string, label: string]>, attrs: Attrs = {}, selected?: string): HTMLSelectElement {
  const el = h("select", attrs, ...options.map(([value, label]) => h("option", { value }, label)));
  if (selected !== undefined) el.value = selected;
  return el;
}

/** A group of checkboxes under one legend. */
export function checkboxes(legend: string, options: Array<[value: string, label: string]>, checked: readonly string[], name: string): HTMLFieldSetElement {
  return h(
    "fieldset",
    { class: "checks" },
    h("legend", {}, legend),
    ...options.map(([value, label]) => {
      const box = h("input", { type: "checkbox", name, value });
      box.checked = checked.includes(value);
      return h("label", { class: "check" }, box, label);
    }),
  );
}

export function checkedValues(form: HTMLElement, name: string): string[] {
  return Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)).map((b) => b.value);
}

export function facts(pairs: Array<[string, Node | string | null]>): HTMLDListElement {
  return h("dl", { class: "facts" }, ...pairs.flatMap(([dt, dd]) => (dd === null ? [] : [h("dt", {}, dt), h("dd", {}, dd)])));
}

export function badge(text: string, tone: "ok" | "bad" | "warn" | "info" | "muted"): HTMLElement {
  return h("span", { class: `badge ${tone}` }, text);
}

export function card(title: string | null, ...children: Array<Node | null | false>): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, ...children);
}

/** A list of cards, or a sentence when there is nothing to list. */
export function list(items: Node[], empty: string, attrs: Attrs = {}): HTMLElement {
  if (items.length === 0) return h("p", { class: "empty" }, empty);
  return h("ul", { class: "items", ...attrs }, ...items.map((item) => h("li", {}, item)));
}

export function time(lang: Lang, iso: string | null): string {
  if (iso === null) return "—";
  return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "short" });
}

export function hash(text: string): HTMLElement {
  return h("span", { class: "hash" }, text);
}

/** The public verify page of a receipt id. */
export function verifyLink(receipt: string): HTMLAnchorElement {
  return h("a", { href: `/v/${encodeURIComponent(receipt)}`, class: "hash", target: "_blank", rel: "noopener" }, receipt);
}

export function actions(...buttons: Array<Node | null | false>): HTMLElement {
  return h("div", { class: "actions" }, ...buttons);
}

export function formOf(onSubmit: (form: HTMLFormElement) => void, ...children: Array<Node | null | false>): HTMLFormElement {
  const form = h("form", {}, ...children);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(form);
  });
  return form;
}

export function submit(label: string): HTMLButtonElement {
  return h("button", { type: "submit", class: "button primary" }, label);
}
