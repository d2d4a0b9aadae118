// Shortcuts for the device tests: a company's records of one type as the store holds them, accepted or sequenced.
import type { TestService } from "../helpers/service";
import type { EvidenceRecord } from "../../service/evidence";

export type LoggedData = Pick<EvidenceRecord, "type" | "subject" | "actor" | "data" | "company">;

/** The company's records of `type` (all of them, sequenced or not), oldest first. */
export async function recordsOf(svc: TestService, company: string, type?: string): Promise<LoggedData[]> {
  const found: LoggedData[] = [];
  let after: string | undefined;
  do {
    const page = await svc.store.records.page({ company, ...(type ? { type } : {}) }, { limit: 1000, after });
    // The log hands out records wrapped with their id once records are accepted before they are sequenced.
    found.push(...(page.items as unknown[]).map((item) => (typeof item === "object" && item !== null && "record" in item ? (item as { record: LoggedData }).record : (item as LoggedData))));
    after = page.next ?? undefined;
  } while (after !== undefined);
  return found;
}
