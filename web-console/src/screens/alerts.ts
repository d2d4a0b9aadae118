// Alerts: open, acknowledged and resolved, newest first; acknowledging one (someone is on it) and resolving it with
// a note, for those who handle alerts.
import type { Alert, Device, Seal } from "../api";
import { alertText } from "../i18n";
import type { ScreenContext } from "../screen";
import { actions, badge, button, facts, field, formOf, h, list, submit, time } from "../ui";

const STATE_TONE = { open: "bad", acknowledged: "warn", resolved: "muted" } as const;

export async function alertsScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const [alerts, seals, devices] = await Promise.all([
    c.api.all<Alert>("/alerts", "alerts"),
    c.api.all<Seal>("/seals", "seals"),
    c.can("device.read") ? c.api.all<Device>("/devices", "devices") : Promise.resolve([]),
  ]);
  const handles = c.can("alert.handle");
  const order = { open: 0, acknowledged: 1, resolved: 2 } as const;
  const sorted = [...alerts].reverse().sort((a, b) => order[a.state] - order[b.state]);
  const items = sorted.map((a) => {
    const device = devices.find((d) => d.id === a.device);
    return h(
      "article",
      { class: "item", "data-alert": a.id },
      h("h2", { class: "item-title" }, alertText(w, a.code), " ", badge(w.severities[a.severity], a.severity === "critical" ? "bad" : "warn"), " ", badge(w.alertStates[a.state], STATE_TONE[a.state])),
      facts([
        [w.createdAt, time(c.lang, a.createdAt)],
        [w.seal, a.seal ? (seals.find((s) => s.id === a.seal)?.name ?? a.seal) : null],
        [w.device, a.device ? (device ? `${device.model} · ${device.serial}` : a.device) : null],
        [w.acknowledgedAt, a.acknowledgedAt ? time(c.lang, a.acknowledgedAt) : null],
        [w.resolvedAt, a.resolvedAt ? time(c.lang, a.resolvedAt) : null],
        [w.resolution, a.resolution],
      ]),
      handles && a.state === "open" ? actions(button(w.acknowledge, () => void c.act(w.alertAcknowledged, () => c.api.post(`/alerts/${a.id}/acknowledge`)), { "data-testid": "acknowledge" })) : null,
      handles && a.state !== "resolved" ? resolveForm(c, a) : null,
    );
  });
  return [list(items, w.noAlerts)];
}

function resolveForm(c: ScreenContext, a: Alert): HTMLElement {
  const { w } = c;
  const note = h("textarea", { name: "note", required: "", maxlength: "2000", rows: "2" });
  const form = formOf(() => void c.act(w.alertResolved, () => c.api.post(`/alerts/${a.id}/resolve`, { note: note.value })), field(w.resolutionNote, note), submit(w.resolve));
  return h("details", { class: "editor" }, h("summary", {}, w.resolve), form);
}
