// Remote lock and dual-control unlock of a smart-seal device (DESIGN, "Remote lock and unlock"). A seal_admin, the
// legal_rep or the seal's custodian locks at once; lifting a lock, or bringing back a device reported out of order,
// needs two members: a seal_admin or the legal_rep, and the seal's reviewer, each giving a half.
import { draft, recordChange, stepUpNote, type Actor } from "../domain/context";
import { refuse } from "../domain/errors";
import { getOwned } from "../domain/lookup";
import { requirePower } from "../domain/policy";
import { issueCommand, pendingCommands } from "./commands";
import type { Device, Seal } from "../domain/model";
import type { DeviceContext } from "./context";
import type { DeviceTx, DualControlHalf, DualControlSide } from "./schema";

/** How long a first half waits for its second. */
export const HALF_TTL_MS = 3_600_000;

export interface UnlockState {
  device: Device;
  /** Both halves are in: the lock is lifted. */
  complete: boolean;
  /** The halves given so far (both, once complete). */
  halves: { member: string; side: DualControlSide }[];
}

/** Locks the device at once: `device.locked`, and a `lock` command unless one is already waiting for the device. */
export async function lockDevice(ctx: DeviceContext, actor: Actor, deviceId: string): Promise<Device> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { device, seal } = await deviceAndSeal(tx, actor, deviceId);
    requirePower(actor, seal !== null && seal.custodian === actor.member.id ? "device.lock-in-custody" : "device.lock");
    if (device.status === "retired") refuse("DEVICE_RETIRED", "the device is retired");
    if (device.status !== "locked") {
      device.status = "locked";
      await recordChange(tx, draft("device.locked", now, device.company, device.id, actor.member.id, { reason: "remote" }));
    }
    if (!(await pendingCommands(tx, device)).some((c) => c.type === "lock")) await issueCommand(tx, ctx.commandKey, now, device, "lock", { reason: "remote" });
    await tx.devices.update(device);
    return device;
  });
}

/**
 * Gives the caller's half of an unlock: the reviewer's when the caller is the seal's reviewer, else an administrator's.
 * With the other side's half from another member, the device is active again (and no longer out of order):
 * `device.unlocked` naming both, and an `unlock` command without an authorization (stamping still needs one).
 */
export async function unlockDevice(ctx: DeviceContext, actor: Actor, deviceId: string): Promise<UnlockState> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { device, seal } = await deviceAndSeal(tx, actor, deviceId);
    const side: DualControlSide = seal !== null && seal.reviewer === actor.member.id ? "reviewer" : "admin";
    requirePower(actor, side === "reviewer" ? "device.unlock-review" : "device.unlock");
    if (seal === null) refuse("DEVICE_NOT_BOUND", "a device is unlocked with its seal's reviewer; this one holds no seal");
    if (device.status !== "locked" && !device.outOfOrderSince) refuse("DEVICE_NOT_LOCKED", "the device is neither locked nor out of order");
    const halves = await openHalves(tx, device, "unlock", now);
    const other = halves.find((h) => h.side !== side);
    if (other === undefined) {
      if (!halves.some((h) => h.member === actor.member.id)) {
        const half = newHalf(device, "unlock", actor, side, null, null, now);
        await tx.dualControlHalves.insert(half);
        halves.push(half);
      }
      return { device, complete: false, halves: halves.map(({ member, side: given }) => ({ member, side: given })) };
    }
    if (other.member === actor.member.id) refuse("DUAL_CONTROL_SAME_MEMBER", "the two halves of an unlock come from two different members");
    for (const half of halves) await tx.dualControlHalves.delete(half.id);
    device.status = "active";
    device.outOfOrderSince = null;
    const command = await issueCommand(tx, ctx.commandKey, now, device, "unlock", { authorization: null, reason: "dual-control" });
    const stepUpBy = [other, { member: actor.member.id, stepUp: actor.stepUp }].filter((h) => h.stepUp === true).map((h) => h.member);
    const data = { approvedBy: [other.member, actor.member.id], command: command.n, ...stepUpNote(actor), ...(stepUpBy.length > 0 ? { stepUpBy } : {}) };
    await recordChange(tx, draft("device.unlocked", now, device.company, device.id, actor.member.id, data));
    await tx.devices.update(device);
    return { device, complete: true, halves: [{ member: other.member, side: other.side }, { member: actor.member.id, side }] };
  });
}

/** The device (a working copy the caller stores) and the seal it holds, if any. */
export async function deviceAndSeal(tx: DeviceTx, actor: Actor, deviceId: string): Promise<{ device: Device; seal: Seal | null }> {
  const device: Device = { ...(await getOwned(tx, "devices", actor.company, deviceId)) };
  const seal = device.seal === null ? null : await tx.seals.get(device.seal);
  return { device, seal: seal !== null && seal.company === device.company ? seal : null };
}

/** The device's halves of `act` still waiting, oldest first; expired ones are deleted (a member may then give theirs anew). */
export async function openHalves(tx: DeviceTx, device: Device, act: DualControlHalf["act"], now: Date): Promise<DualControlHalf[]> {
  const halves = await tx.dualControlHalves.list(device.company, { device: device.id, act });
  const open: DualControlHalf[] = [];
  for (const half of halves) {
    if (Date.parse(half.expiresAt) > now.getTime()) open.push(half);
    else await tx.dualControlHalves.delete(half.id);
  }
  return open;
}

export function newHalf(device: Device, act: DualControlHalf["act"], actor: Actor, side: DualControlSide, authorization: string | null, receipt: string | null, now: Date, id?: string): DualControlHalf {
  return {
    id: id ?? `${device.id}:${act}:${actor.member.id}`, company: device.company, device: device.id, act, member: actor.member.id, side, authorization, receipt,
    ...(actor.stepUp === true ? { stepUp: true } : {}),
    expiresAt: new Date(now.getTime() + HALF_TTL_MS).toISOString(), createdAt: now.toISOString(),
  };
}
