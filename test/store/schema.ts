// A test-only schema: the service's kinds plus a throwaway kind and record type that no store code knows of.
import { kind, type Owned } from "../../service/store/schema";
import { SERVICE_SCHEMA } from "../../service/schema";
import type { RecordDraft } from "../../service/store/port";

/** A kind the store has never heard of: a unique serial, an indexed owner, and an expiry that may be absent. */
export interface Gadget extends Owned {
  serial: string;
  owner: string;
  tags: string[];
  retireAt: string | null;
}

export const GADGET_SCHEMA = {
  gadgets: kind<Gadget>({ label: "gadget", uniqueKeys: (g) => [`serial:${g.serial}`], indexed: ["owner"], expires: { field: "retireAt", afterMs: 60_000 } }),
};

export const TEST_SCHEMA = { ...SERVICE_SCHEMA, ...GADGET_SCHEMA };
export type TestSchema = typeof TEST_SCHEMA;

/** A record type evidence/ has no spec for: the store keeps it as it keeps any draft. */
export const GADGET_CALIBRATED = "gadget.calibrated";

export function gadget(id: string, companyId: string, fields: Partial<Gadget> = {}): Gadget {
  return { id, company: companyId, serial: `SN-${id}`, owner: "m_owner", tags: [], retireAt: null, ...fields };
}

export function calibrated(companyId: string, subject: string, at: string, data: RecordDraft["data"] = {}): RecordDraft {
  // Drafts are typed by the evidence layer's closed list; the store must take one outside it all the same.
  return { type: GADGET_CALIBRATED as RecordDraft["type"], at, company: companyId, subject, actor: "m_actor", data };
}
