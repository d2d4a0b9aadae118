// Presence of devices connected over MQTT: a session opening or closing (the embedded broker's own sessions, or the
// `presence` topic's "online" and last-will "offline" through an external broker) is written when it changes what is
// known. A device disconnected and heard from by no transport for longer than DEVICE_OFFLINE_ALERT_MS raises one
// DEVICE_OFFLINE warning per silence. Devices that only ever sync over HTTPS are offline by nature and not watched.
import { raiseDeviceAlert } from "./incidents";
import { PRESENCE_PARTITION, type DevicePresence } from "./presence-schema";
import type { DeviceStore } from "./schema";
import type { Device } from "../domain/model";

/** What members see of a device's presence. */
export interface PresenceView {
  connected: boolean;
  /** When the device last connected or disconnected; null for a device never connected over MQTT. */
  since: string | null;
}

/** Records that `deviceId`'s MQTT session opened or closed; writes nothing when that is already known. */
export async function notePresence(store: DeviceStore, deviceId: string, connected: boolean, now: Date): Promise<void> {
  await store.transaction(async (tx) => {
    const known = await tx.devicePresence.get(deviceId);
    if (known !== null && known.connected === connected) return;
    const device = await tx.devices.get(deviceId);
    if (device === null) return;
    const presence: DevicePresence = { id: deviceId, company: PRESENCE_PARTITION, deviceCompany: device.company, connected, since: now.toISOString(), offlineAlerted: connected ? false : (known?.offlineAlerted ?? false) };
    if (known === null) await tx.devicePresence.insert(presence);
    else await tx.devicePresence.update(presence);
  });
}

export async function presenceOf(store: DeviceStore, deviceId: string): Promise<PresenceView> {
  const known = await store.devicePresence.get(deviceId);
  return known === null ? { connected: false, since: null } : { connected: known.connected, since: known.since };
}

/**
 * After a restart of the embedded broker no session survives: every device known as connected is disconnected from
 * now (it reconnects within its keepalive, or its silence is counted from this moment).
 */
export async function disconnectAll(store: DeviceStore, now: Date): Promise<void> {
  for (const known of await store.devicePresence.list(PRESENCE_PARTITION)) {
    if (known.connected) await notePresence(store, known.id, false, now);
  }
}

/** One pass of the offline watch: raises DEVICE_OFFLINE for each device silent past `silenceMs`; resolves how many. */
export async function alertSilentDevices(store: DeviceStore, silenceMs: number, now: Date): Promise<number> {
  let raised = 0;
  for (const known of await store.devicePresence.list(PRESENCE_PARTITION)) {
    if (known.connected || known.offlineAlerted) continue;
    const device = await store.devices.get(known.id);
    if (device === null || !isSilent(device, known, silenceMs, now)) continue;
    const alerted = await store.transaction(async (tx) => {
      const current = await tx.devicePresence.get(known.id);
      const fresh = await tx.devices.get(known.id);
      if (current === null || fresh === null || current.connected || current.offlineAlerted || !isSilent(fresh, current, silenceMs, now)) return false;
      await tx.devicePresence.update({ ...current, offlineAlerted: true });
      await raiseDeviceAlert(tx, now, fresh, "DEVICE_OFFLINE", { disconnectedAt: current.since, lastSeenAt: fresh.lastSeenAt, silenceMs });
      return true;
    });
    if (alerted) raised++;
  }
  return raised;
}

/** Disconnected, not retired, and heard from by no transport since `silenceMs` ago. */
function isSilent(device: Device, presence: DevicePresence, silenceMs: number, now: Date): boolean {
  if (device.status === "retired") return false;
  const lastHeard = Math.max(Date.parse(presence.since), device.lastSeenAt === null ? 0 : Date.parse(device.lastSeenAt));
  return now.getTime() - lastHeard > silenceMs;
}
