// The offline watch: a job (one node at a time, through the job runner's lease) that raises DEVICE_OFFLINE for devices
// disconnected and silent past DEVICE_OFFLINE_ALERT_MS. It looks often enough to be late by a tenth of that at most.
import { JobRunner } from "../jobs/runner";
import { alertSilentDevices } from "./presence";
import type { DeviceStore } from "./schema";

export interface OfflineWatchOptions {
  silenceMs: number;
  holder: string;
  now: () => Date;
  log: (line: string) => void;
  /** Counts each alert raised (the service's alerts metric). */
  raised?: (count: number) => void;
}

export function offlineWatch(store: DeviceStore, options: OfflineWatchOptions): JobRunner {
  const { silenceMs, holder, now, log } = options;
  const pass = async () => {
    const raised = await alertSilentDevices(store, silenceMs, now());
    if (raised > 0) {
      log(`[warning] DEVICE_OFFLINE: ${raised} device(s) disconnected and silent for more than ${silenceMs / 1000} s`);
      options.raised?.(raised);
    }
    return false;
  };
  const pollMs = Math.min(60_000, Math.max(500, Math.floor(silenceMs / 10)));
  return new JobRunner(store.leases, { pass }, { name: "device-offline-watch", holder, leaseTtlMs: Math.max(30_000, 3 * pollMs), pollMs, now, log });
}
