// Tells the outbox deliverer as soon as a transaction that added entries has committed, and which entries, so a
// device's lock command reaches the broker within milliseconds of the lock rather than at the deliverer's next poll,
// and without a second trip through the store's commit queue to read it back.
import type { OutboxEntry, Tx } from "../store/port";
import { overlay } from "../store/repositories";

type Transaction<T> = <R>(fn: (tx: T) => Promise<R>) => Promise<R>;

/** `transaction`, calling `committed` with the entries each one added once it has committed (never for none). */
export function nudgeAfterOutboxCommit<T extends Pick<Tx, "outbox">>(transaction: Transaction<T>, committed: (entries: OutboxEntry[]) => void): Transaction<T> {
  return async (fn) => {
    let added: OutboxEntry[] = [];
    const value = await transaction((tx) => {
      // A store may run fn again (a retried transaction): only the last run's entries committed.
      added = [];
      // Every other repository is read through to tx: no copy of the transaction's many kinds.
      const watched = overlay(tx, {
        outbox: {
          add: async (entry) => {
            const id = await tx.outbox.add(entry);
            added.push({ ...entry, id, attempts: 0, lastError: null });
            return id;
          },
        },
      } as Partial<T>);
      return fn(watched);
    });
    if (added.length > 0) committed(added);
    return value;
  };
}
