// Tells the outbox deliverer as soon as a transaction that added an entry has committed, so a device's lock command
// reaches the broker within milliseconds of the lock rather than at the deliverer's next poll.
import type { Tx } from "../store/port";

type Transaction<T> = <R>(fn: (tx: T) => Promise<R>) => Promise<R>;

/** `transaction`, calling `committed` after each one that added an outbox entry has committed. */
export function nudgeAfterOutboxCommit<T extends Pick<Tx, "outbox">>(transaction: Transaction<T>, committed: () => void): Transaction<T> {
  return async (fn) => {
    let added = false;
    const value = await transaction((tx) => {
      // Every other repository is read through the prototype: no copy of the transaction's many kinds.
      const watched = Object.create(tx) as T;
      watched.outbox = {
        add: (entry) => {
          added = true;
          return tx.outbox.add(entry);
        },
      };
      return fn(watched);
    });
    if (added) committed();
    return value;
  };
}
