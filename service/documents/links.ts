// Linked documents: a member who may see a usage ties a file to it (the scan of the stamped page, the archived final
// PDF, a print) as a `document.linked` record whose subject is the usage's receipt id. Linking the same file in the
// same role again answers the first link and records nothing.
import { draft, type Actor } from "../domain/context";
import { requirePower } from "../domain/policy";
import { sm3, toHex, utf8, type LinkedDocumentRole } from "../evidence";
import { StoreConflictError, type LoggedRecord } from "../store/port";
import { visibleUsage } from "./usage-access";
import type { DeviceContext } from "../devices/context";
import type { DocumentLink } from "./schema";

export interface LinkedDocument {
  link: DocumentLink;
  record: LoggedRecord;
  /** False when the same file was linked in the same role before: nothing was recorded this time. */
  created: boolean;
}

/** One link per usage, role and file, whoever makes it: the id is derived from the three. */
export function documentLinkId(receipt: string, role: LinkedDocumentRole, hash: string): string {
  return `dl_${toHex(sm3(utf8(`${receipt}\n${role}\n${hash}`)))}`;
}

export async function linkDocument(ctx: DeviceContext, actor: Actor, receiptId: string, input: { role: LinkedDocumentRole; hash: string }): Promise<LinkedDocument> {
  requirePower(actor, "document.link");
  const usage = await visibleUsage(ctx.store, actor, receiptId);
  const id = documentLinkId(receiptId, input.role, input.hash);
  const now = ctx.now();
  try {
    return await ctx.store.transaction(async (tx) => {
      const existing = await tx.documentLinks.get(id);
      if (existing !== null) return { link: existing, record: await linkRecord(tx.records, existing), created: false };
      const data = { receipt: receiptId, role: input.role, hash: input.hash };
      const [record] = await tx.records.append([draft("document.linked", now, usage.record.company, receiptId, actor.member.id, data)]);
      const link: DocumentLink = { id, company: usage.record.company, ...data, record: record.id, member: actor.member.id, createdAt: now.toISOString() };
      await tx.documentLinks.insert(link);
      return { link, record, created: true };
    });
  } catch (err) {
    // A store whose transactions run concurrently (MongoDB) meets the same link made meanwhile here, by its id.
    if (!(err instanceof StoreConflictError) || err.kind !== "documentLinks") throw err;
    const made = await ctx.store.documentLinks.get(id);
    if (made === null) throw err;
    return { link: made, record: await linkRecord(ctx.store.records, made), created: false };
  }
}

async function linkRecord(records: { byId(id: string): Promise<LoggedRecord | null> }, link: DocumentLink): Promise<LoggedRecord> {
  const record = await records.byId(link.record);
  if (record === null) throw new Error(`invariant violated: document link ${link.id} names record ${link.record}, which the log does not hold`);
  return record;
}
