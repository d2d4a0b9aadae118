// A company's records in time order, a page at a time: what every audit reader walks, whatever it keeps of them.
import type { LoggedRecord, RecordFilter, Store } from "../store/port";

const PAGE = 500;

/** Every record the filter selects, in the log's time order, read `pageSize` at a time. */
export async function* companyRecords(store: Store, filter: RecordFilter, pageSize = PAGE): AsyncGenerator<LoggedRecord> {
  let after: string | undefined;
  do {
    const page = await store.records.page(filter, { after, limit: pageSize });
    yield* page.items;
    after = page.next ?? undefined;
  } while (after !== undefined);
}
