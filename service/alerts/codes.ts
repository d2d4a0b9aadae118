// Alert codes: a closed list, each with its one severity (what webhooks subscribe by), so a new code is a compile
// error until its severity is decided. Each subsystem adds its codes as a block of its own.
export const ALERT_SEVERITIES = ["warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

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

/** Raised by the supervisor of the embedded dev chain (service/chain), for company "system". */
const DEV_CHAIN = {
  /** Anvil exited 3 times within 5 minutes; it is started again with backoff, anchoring waits meanwhile. */
  DEV_CHAIN_RESTARTING: "warning",
} as const satisfies Record<string, AlertSeverity>;

/** Raised by the device subsystem (service/devices), for the device's company; subject the seal, else the device. */
const DEVICES = {
  /** A stamp no open authorization covers: the device is locked. */
  UNAUTHORIZED_STAMP: "critical",
  /** The device reported tampering: it is locked. */
  DEVICE_TAMPERED: "critical",
  /** A message reused an `n` the device had signed other bytes under: it is locked. */
  MESSAGE_REPLAYED: "critical",
  /** The device's stamp counter skipped numbers: stamps the platform never heard of. */
  STAMP_GAP: "warning",
  /** A device connected over MQTT has been disconnected and silent longer than DEVICE_OFFLINE_ALERT_MS (once per silence). */
  DEVICE_OFFLINE: "warning",
  /** A stamp was recorded by the custodian and the reviewer while the device was out of order. */
  MANUAL_STAMP: "warning",
} as const satisfies Record<string, AlertSeverity>;

/** Raised by the anomaly rules (service/audit/anomalies*.ts) once per critical finding, for the company; subject what the finding is about. */
const AUDIT = {
  /** The log holds a stamp no authorization covered. */
  AUDIT_UNAUTHORIZED_STAMP: "critical",
  /** A device's stamp counter skipped numbers: stamps the platform never heard of. */
  AUDIT_STAMP_GAP: "critical",
  /** A stamp was made outside its authorization's geofence. */
  AUDIT_GEOFENCE_EXIT: "critical",
  /** A grant is still held by a member who left the company. */
  AUDIT_GRANT_HELD_AFTER_LEAVING: "critical",
  /** One member confirmed custody of a seal both as its custodian and as its reviewer. */
  AUDIT_DUAL_CONTROL_ONE_PERSON: "critical",
} as const satisfies Record<string, AlertSeverity>;

export const ALERT_SEVERITY = { ...ANCHORING, ...DEVICES, ...DEV_CHAIN, ...AUDIT } as const satisfies Record<string, AlertSeverity>;

export type AlertCode = keyof typeof ALERT_SEVERITY;
