// Deletes expired documents (Store.purgeExpired: reservations, idempotency entries) every few minutes in the service process.
import type { Store } from "./port";

export const PURGE_INTERVAL_MS = 5 * 60_000;

/** Purges now and then every `everyMs`; a failed purge is logged and tried again at the next tick. Returns stop. */
export function startPurging(store: Store, options: { everyMs?: number; now: () => Date; log: (line: string) => void }): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = store.purgeExpired(options.now()).then(
      (n) => void (n > 0 && options.log(`purged ${n} expired documents`)),
      (err: unknown) => options.log(`purging expired documents failed (tried again in ${options.everyMs ?? PURGE_INTERVAL_MS} ms): ${String(err)}`),
    );
  };
  tick();
  const timer = setInterval(tick, options.everyMs ?? PURGE_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
