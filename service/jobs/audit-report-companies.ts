// Every registered company, as the audit job needs them: the store lists documents one company at a time, so the
// companies are read from their `company.registered` records, scanning the sequenced log once and then only what
// was sequenced since.
import type { RecordLog } from "../store/port";

export interface RegisteredCompany {
  id: string;
  /** When it was registered (its record's `at`): a company has no report for a month that ended before. */
  registeredAt: string;
}

const PAGE = 10_000;

export class RegisteredCompanies {
  private readonly known: RegisteredCompany[] = [];
  private nextSeq = 0;

  constructor(private readonly records: Pick<RecordLog, "list">) {}

  /** The companies whose registration has been sequenced, in the order they registered. */
  async all(): Promise<RegisteredCompany[]> {
    for (;;) {
      const page = await this.records.list({ fromSeq: this.nextSeq, limit: PAGE });
      for (const record of page) if (record.type === "company.registered") this.known.push({ id: record.company, registeredAt: record.at });
      this.nextSeq += page.length;
      if (page.length < PAGE) return [...this.known];
    }
  }
}
