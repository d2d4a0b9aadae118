// Misuse of a device (an unauthorized stamp, a tamper report, a replayed message): in the caller's transaction the
// device is locked as evidence, a critical alert is raised, and a lock command is signed for it unless one is pending.
import { draft, recordChange } from "../domain/context";
import { raiseAlert } from "../alerts/raise";
import { issueCommand, pendingCommands } from "./commands";
import type { AlertCode } from "../alerts/codes";
import type { JsonValue, Sm2KeyPair } from "../evidence";
import type { Device } from "../domain/model";
import type { DeviceTx } from "./schema";

export type LockReason = "unauthorized-stamp" | "tamper" | "replay";

const ALERT_OF: Record<LockReason, AlertCode> = {
  "unauthorized-stamp": "UNAUTHORIZED_STAMP",
  tamper: "DEVICE_TAMPERED",
  replay: "MESSAGE_REPLAYED",
};

/** `device` is the caller's working copy: its status and commandN change here, and the caller stores it. */
export async function lockForMisuse(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device, reason: LockReason, n: number, data: { [key: string]: JsonValue } = {}): Promise<void> {
  if (device.status !== "locked") {
    device.status = "locked";
    await recordChange(tx, draft("device.locked", now, device.company, device.id, device.id, { reason, n }));
  }
  await raiseDeviceAlert(tx, now, device, ALERT_OF[reason], { n, ...data });
  const pending = await pendingCommands(tx, device);
  if (!pending.some((c) => c.type === "lock")) await issueCommand(tx, commandKey, now, device, "lock", { reason });
}

/** An alert about a device, seen by its company; the subject is its seal when it holds one. */
export async function raiseDeviceAlert(tx: DeviceTx, now: Date, device: Device, code: AlertCode, data: { [key: string]: JsonValue }): Promise<void> {
  await raiseAlert(tx, { code, at: now, company: device.company, subject: device.seal ?? device.id, source: device.id, data: { device: device.id, ...data } });
}
