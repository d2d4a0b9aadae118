// Emergency use without the device: its seal's custodian reports it out of order (it is then treated as locked), and
// while it is, a stamp made by hand under an open authorization is recorded once the custodian and the reviewer have
// each confirmed it with their own key: `seal.stamped` with `manual: true`, and a warning alert every time.
import { draft, recordChange, type Actor } from "../domain/context";
import { refuse } from "../domain/errors";
import { newId } from "../domain/ids";
import { isLegalRep, requirePower } from "../domain/policy";
import { authorizationCovers, ownedAuthorization, useReceipt, type CoverageReason } from "./authorizations";
import { issueCommand, pendingCommands } from "./commands";
import { raiseDeviceAlert } from "./incidents";
import { deviceAndSeal, newHalf, openHalves } from "./lock";
import type { DomainErrorCode } from "../domain/errors";
import type { Device, Seal } from "../domain/model";
import type { DeviceContext } from "./context";
import type { Authorization, DeviceTx, DualControlSide } from "./schema";

export interface ManualStamp {
  id: string;
  device: string;
  authorization: string;
  /** The receipt id named when it was begun (the copy's QR), or, once recorded, the one it was recorded under. */
  receipt: string | null;
  status: "pending" | "recorded";
  confirmedBy: string[];
  /** The `seal.stamped` record's id, once recorded. */
  record: string | null;
}

/** The seal's custodian (or the legal_rep) reports its device out of order: `device.out-of-order`, and a lock for when it returns. */
export async function reportOutOfOrder(ctx: DeviceContext, actor: Actor, deviceId: string): Promise<Device> {
  requirePower(actor, "device.report-out-of-order");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { device, seal } = await deviceAndSeal(tx, actor, deviceId);
    if (seal === null) refuse("DEVICE_NOT_BOUND", "the device holds no seal");
    if (!isLegalRep(actor.member) && seal.custodian !== actor.member.id) refuse("FORBIDDEN", "only the seal's custodian reports its device out of order");
    if (device.status === "retired") refuse("DEVICE_RETIRED", "the device is retired");
    if (device.outOfOrderSince) return device;
    device.outOfOrderSince = now.toISOString();
    await recordChange(tx, draft("device.out-of-order", now, device.company, device.id, actor.member.id));
    if (!(await pendingCommands(tx, device)).some((c) => c.type === "lock")) await issueCommand(tx, ctx.commandKey, now, device, "lock", { reason: "out-of-order" });
    await tx.devices.update(device);
    return device;
  });
}

/** The first confirmation of a manual stamp, by the seal's custodian or reviewer: nothing is recorded until the other's. */
export async function beginManualStamp(ctx: DeviceContext, actor: Actor, deviceId: string, input: { authorization: string; receipt: string | null }): Promise<ManualStamp> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { device, seal } = await manualStampDevice(tx, actor, deviceId);
    const authorization = await coveringAuthorization(tx, device, input.authorization, input.receipt, now);
    const half = newHalf(device, "manual-stamp", actor, sideOf(actor, seal), authorization.id, input.receipt, now, newId("ms"));
    await tx.dualControlHalves.insert(half);
    return { id: half.id, device: device.id, authorization: authorization.id, receipt: input.receipt, status: "pending", confirmedBy: [actor.member.id], record: null };
  });
}

/** The second confirmation, by the other of the two: the stamp is recorded under its authorization, and alerted. */
export async function confirmManualStamp(ctx: DeviceContext, actor: Actor, deviceId: string, stampId: string): Promise<ManualStamp> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { device, seal } = await manualStampDevice(tx, actor, deviceId);
    const half = (await openHalves(tx, device, "manual-stamp", now)).find((h) => h.id === stampId);
    if (half === undefined || half.authorization === null) refuse("NOT_FOUND", `no manual stamp ${stampId} waiting for confirmation`, { kind: "manual stamp", id: stampId });
    if (half.member === actor.member.id || half.side === sideOf(actor, seal)) refuse("DUAL_CONTROL_SAME_MEMBER", "a manual stamp is confirmed by the custodian and the reviewer, one each");
    const authorization = await coveringAuthorization(tx, device, half.authorization, half.receipt, now);
    const { receipt } = authorizationCovers(authorization, now, half.receipt, now);
    if (receipt === null) throw new Error("invariant violated: a covering authorization gave no receipt");
    await useReceipt(tx, authorization, receipt);
    await tx.dualControlHalves.delete(half.id);
    const confirmedBy = [half.member, actor.member.id];
    const record = await recordChange(
      tx,
      draft("seal.stamped", now, device.company, seal.id, actor.member.id, {
        device: device.id, n: null, stampNo: null, authorized: true, reasons: [], authorization: authorization.id, receipt, claimedReceipt: half.receipt,
        operator: { method: "none", ref: null }, photoHash: null, inGeofence: null, locationCommitment: null, deviceAt: null, manual: true, confirmedBy,
      }),
    );
    await raiseDeviceAlert(tx, now, device, "MANUAL_STAMP", { authorization: authorization.id, receipt, record });
    return { id: half.id, device: device.id, authorization: authorization.id, receipt, status: "recorded", confirmedBy, record };
  });
}

/** A device out of order, holding a seal the caller is custodian or reviewer of; another company's device is NOT_FOUND to anyone. */
async function manualStampDevice(tx: DeviceTx, actor: Actor, deviceId: string): Promise<{ device: Device; seal: Seal }> {
  const { device, seal } = await deviceAndSeal(tx, actor, deviceId);
  requirePower(actor, "device.manual-stamp");
  if (seal === null) refuse("DEVICE_NOT_BOUND", "the device holds no seal");
  sideOf(actor, seal);
  if (!device.outOfOrderSince) refuse("DEVICE_NOT_OUT_OF_ORDER", "stamps are recorded by hand only while the device is reported out of order");
  return { device, seal };
}

function sideOf(actor: Actor, seal: Seal): DualControlSide {
  if (seal.custodian === actor.member.id) return "custodian";
  if (seal.reviewer === actor.member.id) return "reviewer";
  return refuse("FORBIDDEN", "only the seal's custodian and reviewer confirm a manual stamp");
}

const REFUSAL_OF: Record<CoverageReason, DomainErrorCode> = {
  AUTHORIZATION_WITHDRAWN: "AUTHORIZATION_CLOSED",
  OUTSIDE_WINDOW: "AUTHORIZATION_CLOSED",
  AUTHORIZATION_EXHAUSTED: "AUTHORIZATION_CLOSED",
  RECEIPT_NOT_RESERVED: "RECEIPT_INVALID",
  RECEIPT_USED: "RECEIPT_USED",
};

/** The device's authorization, open and covering a stamp now under `receipt` (or its next unused one); refused otherwise. */
async function coveringAuthorization(tx: DeviceTx, device: Device, id: string, receipt: string | null, now: Date): Promise<Authorization> {
  const authorization = await ownedAuthorization(tx, device.company, id);
  if (authorization.device !== device.id || authorization.seal !== device.seal) refuse("NOT_FOUND", `no authorization ${id} for this device`, { kind: "authorization", id });
  if (authorization.status !== "open") refuse("AUTHORIZATION_CLOSED", `the authorization is ${authorization.status}`);
  const { reasons } = authorizationCovers(authorization, now, receipt, now);
  if (reasons.length > 0) refuse(REFUSAL_OF[reasons[0]], `the authorization does not cover this stamp: ${reasons.join(", ")}`, { reasons });
  return authorization;
}
