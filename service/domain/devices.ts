// Smart-seal devices: enrolled by a seal_admin with the public key made inside the device, bound to one physical seal,
// retired for good. The device credential is shown once and stored hashed, as API keys are.
import { DomainError, refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { hashApiKey, newDeviceCredential, newId } from "./ids";
import { getOwned } from "./lookup";
import { requirePower } from "./policy";
import { isSm2PublicKey } from "../evidence";
import { StoreConflictError, type Page, type PageRequest } from "../store/port";
import type { Repositories, Tx } from "./schema";
import type { Device } from "./model";

export interface EnrolDeviceInput {
  serial: string;
  model: string;
  publicKey: string;
}

export interface EnrolledDevice {
  device: Device;
  /** The device credential, returned once at enrolment and never again. */
  credential: { secret: string; prefix: string };
}

export async function enrolDevice(ctx: DomainContext, actor: Actor, input: EnrolDeviceInput): Promise<EnrolledDevice> {
  requirePower(actor, "device.enrol");
  if (!isSm2PublicKey(input.publicKey)) refuse("KEY_INVALID", "a device needs an uncompressed SM2 public key (04‖x‖y, lowercase hex) on the curve");
  const now = ctx.now();
  const id = newId("d");
  const secret = newDeviceCredential(id);
  const device: Device = {
    id,
    company: actor.company,
    serial: input.serial,
    model: input.model,
    publicKey: input.publicKey,
    status: "active",
    credentialHash: hashApiKey(secret),
    credentialPrefix: secret.slice(0, 12),
    seal: null,
    lastN: -1,
    lastStampNo: null,
    lastSeenAt: null,
    commandN: -1,
    createdAt: now.toISOString(),
  };
  try {
    await ctx.store.transaction(async (tx) => {
      await tx.devices.insert(device);
      await recordChange(tx, draft("device.registered", now, actor.company, id, actor.member.id, { serial: input.serial, model: input.model, publicKey: input.publicKey }));
    });
  } catch (err) {
    if (err instanceof StoreConflictError && err.key.startsWith("serial:")) throw new DomainError("DEVICE_SERIAL_TAKEN", `a device with serial ${input.serial} is already enrolled`);
    throw err;
  }
  return { device, credential: { secret, prefix: device.credentialPrefix } };
}

export async function listDevices(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<Device>> {
  requirePower(actor, "device.read");
  return ctx.store.devices.page(actor.company, {}, page);
}

export async function getDevice(ctx: DomainContext, actor: Actor, deviceId: string): Promise<Device> {
  requirePower(actor, "device.read");
  return getOwned(ctx.store, "devices", actor.company, deviceId);
}

/** A retired device's credential stops working; a device still holding a seal in use is not retired. */
export async function retireDevice(ctx: DomainContext, actor: Actor, deviceId: string): Promise<Device> {
  requirePower(actor, "device.retire");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const device = await getOwned(tx, "devices", actor.company, deviceId);
    if (device.status === "retired") return device;
    if (await holdsSealInUse(tx, device, null)) refuse("DEVICE_BOUND", "the device holds a seal in use; revoke, replace or destroy the seal first", { seal: device.seal });
    const retired: Device = { ...device, status: "retired" };
    await tx.devices.update(retired);
    await recordChange(tx, draft("device.retired", now, actor.company, device.id, actor.member.id));
    return retired;
  });
}

/**
 * Registers `sealId` onto an enrolled device of the company that holds no seal in use: none, or one revoked or
 * destroyed, or `replacing` (the seal the new one replaces, revoked in the same transaction).
 */
export async function bindDevice(tx: Tx, company: string, deviceId: string, sealId: string, replacing: string | null): Promise<void> {
  const device = await getOwned(tx, "devices", company, deviceId);
  if (device.status === "retired") refuse("DEVICE_RETIRED", "the device is retired; enrol another");
  if (await holdsSealInUse(tx, device, replacing)) refuse("DEVICE_BOUND", "the device already holds a seal in use", { seal: device.seal });
  await tx.devices.update({ ...device, seal: sealId });
}

async function holdsSealInUse(repos: Repositories, device: Device, replacing: string | null): Promise<boolean> {
  if (device.seal === null || device.seal === replacing) return false;
  const seal = await repos.seals.get(device.seal);
  return seal !== null && (seal.status === "active" || seal.status === "suspended");
}

/** Resolves a device credential to its device, or null (unknown or retired): the transport refuses without saying why. */
export async function authenticateDevice(repos: Pick<Repositories, "devices">, secret: string): Promise<Device | null> {
  const device = await repos.devices.getByKey(`credential:${hashApiKey(secret)}`);
  return device === null || device.status === "retired" ? null : device;
}
