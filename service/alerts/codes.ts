// Alert codes: a closed list, each with its one severity (what webhooks subscribe by), so a new code is a compile
// error until its severity is decided. Each subsystem adds its codes as a block of its own.
export type AlertSeverity = "warning" | "critical";

/** Raised by the batcher (service/anchoring), for company "system". */
const ANCHORING = {
  /** The contract expects another batch than the store's next one: anchoring stopped. */
  CHAIN_OUT_OF_STEP: "critical",
  /** A batch root on chain differs from the store's: anchoring stopped. */
  ROOT_MISMATCH: "critical",
  /** Anchored batches are missing from a chain that is not a dev chain: anchoring stopped. */
  BATCHES_VANISHED: "critical",
  /** The dev chain lost anchored batches: they are anchored again. */
  BATCHES_REANCHORING: "warning",
} as const satisfies Record<string, AlertSeverity>;

export const ALERT_SEVERITY = { ...ANCHORING } as const satisfies Record<string, AlertSeverity>;

export type AlertCode = keyof typeof ALERT_SEVERITY;
