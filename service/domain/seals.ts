// Seals of both kinds and their lifecycle: active ⇄ suspended → revoked; physical seals may also be
// destroyed once no request is open; replace() revokes the old seal and registers its successor together.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { getOwned } from "./lookup";
import { bindDevice } from "./devices";
import { requirePower } from "./policy";
import { isSm2PublicKey, type JsonValue } from "../evidence";
import type { Tx } from "./schema";
import type { Page, PageRequest } from "../store/port";
import type { Geofence, Seal, SealKind, SealStatus, SealType } from "./model";

export interface RegisterSealInput {
  kind: SealKind;
  type: SealType;
  name: string;
  imageHash: string | null;
  department: string | null;
  publicKey?: string;
  /** A physical seal's smart-seal device: the id of an enrolled device of the company holding no seal in use. */
  device?: string;
  custodian?: string;
  reviewer?: string;
  geofence?: Geofence | null;
}

export async function registerSeal(ctx: DomainContext, actor: Actor, input: RegisterSealInput): Promise<Seal> {
  requirePower(actor, "seal.register");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => insertSeal(tx, now, actor, input, null));
}

export type SealTransition = "suspend" | "resume" | "revoke" | "destroy";

const TRANSITIONS: Record<SealTransition, { from: SealStatus[]; to: SealStatus; type: "seal.suspended" | "seal.resumed" | "seal.revoked" | "seal.destroyed" }> = {
  suspend: { from: ["active"], to: "suspended", type: "seal.suspended" },
  resume: { from: ["suspended"], to: "active", type: "seal.resumed" },
  revoke: { from: ["active", "suspended"], to: "revoked", type: "seal.revoked" },
  destroy: { from: ["active", "suspended", "revoked"], to: "destroyed", type: "seal.destroyed" },
};

export async function changeSealStatus(ctx: DomainContext, actor: Actor, sealId: string, transition: SealTransition): Promise<Seal> {
  requirePower(actor, `seal.${transition}`);
  const now = ctx.now();
  const rule = TRANSITIONS[transition];
  return ctx.store.transaction(async (tx) => {
    const seal = await getOwned(tx, "seals", actor.company, sealId);
    if (!rule.from.includes(seal.status)) refuse("SEAL_STATE_INVALID", `cannot ${transition} a seal that is ${seal.status}`, { status: seal.status });
    if (transition === "destroy") await requireDestroyable(tx, seal);
    const updated = { ...seal, status: rule.to };
    await tx.seals.update(updated);
    await recordChange(tx, draft(rule.type, now, actor.company, seal.id, actor.member.id));
    return updated;
  });
}

/** Registers a successor and revokes the old seal in one transaction; the records link both ways. */
export async function replaceSeal(ctx: DomainContext, actor: Actor, sealId: string, input: RegisterSealInput): Promise<{ old: Seal; replacement: Seal }> {
  requirePower(actor, "seal.replace");
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const old = await getOwned(tx, "seals", actor.company, sealId);
    if (old.status !== "active" && old.status !== "suspended") refuse("SEAL_STATE_INVALID", `cannot replace a seal that is ${old.status}`, { status: old.status });
    const replacement = await insertSeal(tx, now, actor, input, old.id);
    const revoked: Seal = { ...old, status: "revoked", replacedBy: replacement.id };
    await tx.seals.update(revoked);
    await recordChange(tx, draft("seal.replaced", now, actor.company, old.id, actor.member.id, { replacedBy: replacement.id }));
    return { old: revoked, replacement };
  });
}

export async function listSeals(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<Seal>> {
  requirePower(actor, "seal.read");
  return ctx.store.seals.page(actor.company, {}, page);
}

export async function getSeal(ctx: DomainContext, actor: Actor, sealId: string): Promise<Seal> {
  requirePower(actor, "seal.read");
  return getOwned(ctx.store, "seals", actor.company, sealId);
}

async function insertSeal(tx: Tx, now: Date, actor: Actor, input: RegisterSealInput, replaces: string | null): Promise<Seal> {
  await checkKindFields(tx, actor.company, input);
  const seal: Seal = {
    id: newId("s"),
    company: actor.company,
    kind: input.kind,
    type: input.type,
    name: input.name,
    status: "active",
    imageHash: input.imageHash,
    publicKey: input.kind === "electronic" ? (input.publicKey as string) : null,
    device: input.device ?? null,
    custodian: input.custodian ?? null,
    reviewer: input.reviewer ?? null,
    department: input.department,
    replaces,
    replacedBy: null,
    geofence: input.geofence ?? null,
    createdAt: now.toISOString(),
  };
  const data: { [key: string]: JsonValue } = {
    name: seal.name,
    kind: seal.kind,
    sealType: seal.type,
    publicKey: seal.publicKey,
    imageHash: seal.imageHash,
    device: seal.device,
    custodian: seal.custodian,
    reviewer: seal.reviewer,
    replaces,
  };
  seal.registrationRecord = await recordChange(tx, draft("seal.registered", now, actor.company, seal.id, actor.member.id, data));
  await tx.seals.insert(seal);
  if (seal.device !== null) await bindDevice(tx, actor.company, seal.device, seal.id, replaces);
  return seal;
}

async function checkKindFields(tx: Tx, company: string, input: RegisterSealInput): Promise<void> {
  if (input.kind === "electronic") {
    if (!isSm2PublicKey(input.publicKey)) refuse("KEY_INVALID", "an electronic seal needs an uncompressed SM2 public key (04‖x‖y, lowercase hex) on the curve");
    if (input.device || input.custodian || input.reviewer || input.geofence) refuse("SEAL_FIELDS_INVALID", "device, custodian, reviewer and geofence belong to physical seals");
    return;
  }
  if (input.publicKey) refuse("SEAL_FIELDS_INVALID", "a physical seal has no public key; its device signs its reports");
  if (!input.device || !input.custodian || !input.reviewer) refuse("SEAL_FIELDS_INVALID", "a physical seal needs a device, a custodian and a reviewer");
  if (input.custodian === input.reviewer) refuse("SEAL_FIELDS_INVALID", "dual control needs a custodian and a reviewer who are different members");
  const custodian = await getOwned(tx, "members", company, input.custodian);
  const reviewer = await getOwned(tx, "members", company, input.reviewer);
  if (!custodian.roles.includes("custodian") || !reviewer.roles.includes("reviewer")) {
    refuse("SEAL_FIELDS_INVALID", "the custodian must hold the custodian role and the reviewer the reviewer role");
  }
}

async function requireDestroyable(tx: Tx, seal: Seal): Promise<void> {
  if (seal.kind !== "physical") refuse("SEAL_KIND_INVALID", "only physical seals are destroyed; revoke an electronic seal");
  const open = (await tx.requests.list(seal.company, { seal: seal.id })).filter((r) => r.status === "pending" || r.status === "approved");
  if (open.length > 0) refuse("REQUEST_OPEN", "the seal has open requests; approve, reject or use them first", { requests: open.map((r) => r.id) });
}
