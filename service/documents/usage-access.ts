// Which usage a member may see, by its receipt id: an electronic usage (seal.used) or a physical stamp (seal.stamped)
// of their company, made by themselves, or any of them for those who read every request. Anything else, another
// company's included, is reported exactly like a receipt id nobody issued.
import { refuse } from "../domain/errors";
import { may } from "../domain/policy";
import type { Actor } from "../domain/context";
import type { LoggedRecord } from "../store/port";
import type { DeviceStore } from "../devices/schema";

type UsageReads = Pick<DeviceStore, "authorizations" | "records">;

const USAGE_TYPES: readonly string[] = ["seal.used", "seal.stamped"];

/** The usage's record, when `actor` may see it; NOT_FOUND otherwise. */
export async function visibleUsage(store: UsageReads, actor: Actor, receiptId: string): Promise<LoggedRecord> {
  const usage = await store.records.getByReceipt(receiptId);
  if (usage === null || usage.record.company !== actor.company || !USAGE_TYPES.includes(usage.record.type)) return notFound(receiptId);
  if (may(actor, "request.read-all")) return usage;
  if ((await usageMember(store, usage)) !== actor.member.id) return notFound(receiptId);
  return usage;
}

/** Who made a usage: the signer of an electronic one; for a stamp, the member its authorization was issued to. */
async function usageMember(store: UsageReads, usage: LoggedRecord): Promise<string | null> {
  if (usage.record.type === "seal.used") return usage.record.actor;
  const authorization = usage.record.data.authorization;
  if (typeof authorization !== "string") return null;
  return (await store.authorizations.get(authorization))?.operator ?? null;
}

function notFound(receiptId: string): never {
  refuse("NOT_FOUND", `no usage ${receiptId}`, { kind: "usage", id: receiptId });
}
