// Test-only, wired by main.ts when SEALPROOF_TEST_OUTBOX_TARGET is set: no feature writes the outbox yet, so crash
// tests need something in the running service that does. Each append in a transaction adds a "test" entry naming the
// records, and the deliverer POSTs those entries to the URL.
import type { LoggedRecord, Tx } from "../store/port";
import { overlay } from "../store/repositories";
import type { OutboxHandler } from "./outbox-deliverer";

export const TEST_OUTBOX_KIND = "test";

type OutboxTx = Pick<Tx, "records" | "outbox">;
type Transaction<T> = <R>(fn: (tx: T) => Promise<R>) => Promise<R>;

export interface TestOutboxHooks {
  /** Called as soon as a transaction that added a test entry has committed: the failpoint after-outbox-commit. */
  afterCommit: () => void;
  /** How long such a transaction stays open after adding its first entry: a slow transaction, for "never before commit". */
  holdMs: number;
}

/** `transaction`, adding a test entry after each append of the transaction. */
export function withTestEntries<T extends OutboxTx>(transaction: Transaction<T>, hooks: TestOutboxHooks): Transaction<T> {
  return async (fn) => {
    let added = false;
    const value = await transaction((tx) =>
      fn(
        // T is OutboxTx or wider; the overlay keeps everything else tx has.
        overlay<OutboxTx>(tx, {
          records: {
            ...tx.records,
            append: async (drafts) => {
              const records = await tx.records.append(drafts);
              await tx.outbox.add({ target: "test", kind: TEST_OUTBOX_KIND, payload: { records: records.map(named) } });
              if (!added && hooks.holdMs > 0) await new Promise((resolve) => setTimeout(resolve, hooks.holdMs));
              added = true;
              return records;
            },
          },
        }) as T,
      ),
    );
    if (added) hooks.afterCommit();
    return value;
  };
}

/** Delivers an entry as a JSON POST of the whole entry; any answer but 2xx is a failure. */
export function postEntriesTo(url: string): OutboxHandler {
  return async (entry) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(entry), signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  };
}

function named({ id, record }: LoggedRecord): { id: string; type: string; company: string; subject: string } {
  return { id, type: record.type, company: record.company, subject: record.subject };
}
