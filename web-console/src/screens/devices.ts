// Smart-seal devices: online state, the seal they hold, the last stamp; locking one at once (administrators, or the
// custodian of its seal) and the two halves of an unlock (an administrator's and the seal's reviewer's, each with a
// fresh passkey assertion).
import type { Device, DeviceUnlock, Seal } from "../api";
import type { ScreenContext } from "../screen";
import { actions, badge, button, confirmButton, facts, h, list, time } from "../ui";

export async function devicesScreen(c: ScreenContext): Promise<Node[]> {
  const { w } = c;
  const me = c.session.member.id;
  const [devices, seals] = await Promise.all([c.api.all<Device>("/devices", "devices"), c.api.all<Seal>("/seals", "seals")]);
  const items = devices.map((d) => {
    const seal = seals.find((s) => s.id === d.seal);
    const locked = d.status === "locked" || (d.outOfOrderSince ?? null) !== null;
    const mayLock = d.status === "active" && (c.can("device.lock") || (c.can("device.lock-in-custody") && seal?.custodian === me));
    const mayUnlock = locked && d.status !== "retired" && (c.can("device.unlock") || (c.can("device.unlock-review") && seal?.reviewer === me));
    const online = d.presence?.connected === true;
    return h(
      "article",
      { class: "item", "data-device": d.id },
      h(
        "h2",
        { class: "item-title" },
        `${d.model} · ${d.serial}`,
        " ",
        badge(w.deviceStatus[d.status], d.status === "active" ? "ok" : d.status === "locked" ? "bad" : "muted"),
        " ",
        badge(online ? w.online : w.offline, online ? "ok" : "muted"),
      ),
      facts([
        [w.seal, seal ? seal.name : "—"],
        [w.lastStamp, d.lastStampNo === null ? "—" : `#${d.lastStampNo}`],
        [w.lastSeen, time(c.lang, d.lastSeenAt)],
        [w.outOfOrder, d.outOfOrderSince ? time(c.lang, d.outOfOrderSince) : null],
      ]),
      actions(
        mayLock ? confirmButton(w.lock, w.confirmAction(w.lock), () => void c.act(w.deviceLocked, () => c.api.post(`/devices/${d.id}/lock`)), { class: "danger-outline", "data-testid": "lock" }) : null,
        mayUnlock
          ? button(w.unlockHalf, () => void c.act((state: DeviceUnlock) => (state.complete ? w.deviceUnlocked : w.unlockHalfGiven), () => c.api.post<DeviceUnlock>(`/devices/${d.id}/unlock`)), { "data-testid": "unlock" })
          : null,
      ),
      mayUnlock ? h("p", { class: "hint" }, w.unlockNote) : null,
    );
  });
  return [list(items, w.noDevices)];
}
