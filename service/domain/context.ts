// What every domain function receives: the store, a clock and the registry check, plus who is acting.
import type { RecordDraft } from "../store/port";
import type { Store, Tx } from "./schema";
import type { JsonValue, RecordType, UsageTbs } from "../evidence";
import type { Member } from "./model";
import type { RegistryCheck } from "./registry-check";

export interface DomainContext {
  store: Store;
  now: () => Date;
  registryCheck: RegistryCheck;
  /** How long a reserved receipt id stays usable. */
  reservationTtlMs: number;
  /** Checks a usage signature; a worker pool may stand behind it, so it is async. */
  verifyUsage: (tbs: UsageTbs, signature: string, publicKey: string) => Promise<boolean>;
}

/** An authenticated member acting within their own company. */
export interface Actor {
  company: string;
  member: Member;
  /** The member gave a fresh passkey assertion for this act (a console step-up): its record notes stepUp: true. */
  stepUp?: boolean;
}

/** What a record of an act that may be stepped up adds to its data. */
export function stepUpNote(actor: Actor): { stepUp?: true } {
  return actor.stepUp === true ? { stepUp: true } : {};
}

/** The operator who creates companies; records name it by this fixed actor id. */
export const OPERATOR_ACTOR = "operator";

export function draft(type: RecordType, at: Date, company: string, subject: string, actor: string, data: { [key: string]: JsonValue } = {}): RecordDraft {
  return { type, at: at.toISOString(), company, subject, actor, data };
}

/** Appends exactly one evidence record for one state change; resolves with its record id (its seq comes later). */
export async function recordChange(tx: Tx, record: RecordDraft): Promise<string> {
  const [stored] = await tx.records.append([record]);
  return stored.id;
}
