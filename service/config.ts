// Configuration from the environment, with embedded defaults so `npm start` needs nothing set up.
import fs from "node:fs";
import path from "node:path";
import { BlockList, isIP } from "node:net";
import { randomBytes } from "node:crypto";
import { Cron } from "croner";
import { DATA_KEY_BYTES } from "./crypto/field-cipher";
import { MONGO_BATCH_MAX } from "./store/mongo/limits";
import { DEFAULT_PHOTO_MAX_BYTES } from "./devices/photos";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The SM4 key for personal data at rest; unset: DATA_DIR/data-key, made on first start. */
  dataKeyFile: string | undefined;
  /** The SM2 private key that signs device commands; unset: DATA_DIR/command-key, made on first start. */
  commandKeyFile: string | undefined;
  mongodbUri: string | undefined;
  operatorToken: string | undefined;
  bodyLimit: string;
  publicRateLimit: number;
  reservationTtlMs: number;
  verifyWorkers: number;
  /** Where webhooks may point and how long one attempt may take: see webhooks/targets.ts. */
  webhooks: { allowLoopback: boolean; allowPrivate: boolean; timeoutMs: number };
  chainRpcUrl: string | undefined;
  anchorContract: string | undefined;
  anchorerKey: string | undefined;
  anchorerKeyFile: string | undefined;
  devChainPort: number;
  confirmations: number;
  batchMax: number;
  batchIntervalMs: number;
  publicBaseUrl: string | undefined;
  publicRpcUrl: string | undefined;
  rpcProxy: "on" | "off" | undefined;
  rpcRateLimit: number;
  mqtt: MqttConfig;
  /** A device connected over MQTT that stays disconnected and silent longer than this raises DEVICE_OFFLINE, once. */
  deviceOfflineAlertMs: number;
  /** When the audit job issues last month's reports (cron syntax, UTC), or null when AUDIT_SCHEDULE=off. */
  auditSchedule: string | null;
  /** The largest stamp photo a device may upload, in bytes. */
  photoMaxBytes: number;
}

/**
 * How smart-seal devices reach the service over MQTT: the embedded broker on a port (MQTT_PORT, default 1883), an
 * external broker (MQTT_URL), or not at all (MQTT_PORT=off: HTTPS only). `publicUrl` is where devices reach the broker.
 */
export type MqttConfig =
  | { mode: "off" }
  | { mode: "embedded"; port: number; publicUrl: string | undefined }
  | { mode: "external"; url: string; username: string | undefined; password: string | undefined; publicUrl: string | undefined };

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    port: int(env, "PORT", 8080, 0, 65535),
    host: env.HOST || "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR ?? "data"),
    dataKeyFile: env.DATA_KEY_FILE ? path.resolve(env.DATA_KEY_FILE) : undefined,
    commandKeyFile: env.COMMAND_KEY_FILE ? path.resolve(env.COMMAND_KEY_FILE) : undefined,
    mongodbUri: env.MONGODB_URI || undefined,
    operatorToken: env.OPERATOR_TOKEN || undefined,
    bodyLimit: env.BODY_LIMIT ?? "64kb",
    publicRateLimit: int(env, "PUBLIC_RATE_LIMIT", 60, 1, 1_000_000),
    reservationTtlMs: int(env, "RESERVATION_TTL_MS", 24 * 3_600_000, 1_000, 30 * 24 * 3_600_000),
    // One: on two cores with nothing else running, bench:ingest measured sm-crypto-v2 faster with one worker thread
    // than with two (1,031 vs 812 usages/s) and the native backend the same either way; two wins only when other
    // processes load the machine, where more threads take a larger share of it.
    verifyWorkers: int(env, "VERIFY_WORKERS", 1, 0, 64),
    webhooks: {
      allowLoopback: onOff(env, "WEBHOOK_ALLOW_LOOPBACK") === "on",
      allowPrivate: onOff(env, "WEBHOOK_ALLOW_PRIVATE") === "on",
      timeoutMs: int(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000),
    },
    chainRpcUrl: env.CHAIN_RPC_URL || undefined,
    anchorContract: env.ANCHOR_CONTRACT || undefined,
    anchorerKey: env.ANCHORER_KEY || undefined,
    anchorerKeyFile: env.ANCHORER_KEY_FILE || undefined,
    devChainPort: int(env, "DEV_CHAIN_PORT", 8545, 0, 65535),
    confirmations: int(env, "CONFIRMATIONS", 1, 1, 1000),
    // On MongoDB a batch is one transaction, kept far from the server's transaction limits: see store/mongo/limits.ts.
    batchMax: env.MONGODB_URI ? Math.min(int(env, "BATCH_MAX", MONGO_BATCH_MAX, 1, 1 << 20), MONGO_BATCH_MAX) : int(env, "BATCH_MAX", 4096, 1, 1 << 20),
    batchIntervalMs: int(env, "BATCH_INTERVAL_MS", 5000, 10, 86_400_000),
    publicBaseUrl: url(env, "PUBLIC_BASE_URL"),
    publicRpcUrl: url(env, "PUBLIC_RPC_URL"),
    rpcProxy: onOff(env, "RPC_PROXY"),
    rpcRateLimit: int(env, "RPC_RATE_LIMIT", 300, 1, 1_000_000),
    mqtt: mqttConfig(env),
    deviceOfflineAlertMs: int(env, "DEVICE_OFFLINE_ALERT_MS", 15 * 60_000, 1_000, 30 * 24 * 3_600_000),
    auditSchedule: cron(env, "AUDIT_SCHEDULE", "0 0 1 * *"),
    photoMaxBytes: int(env, "PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES, 1024, 1 << 30),
  };
  // Without PUBLIC_BASE_URL, receipt links and QR codes are built from each request's Host header, which the
  // client chooses: acceptable on this machine only.
  if (!isLoopback(config.host) && !config.publicBaseUrl) {
    throw new ConfigError(`HOST=${config.host} listens beyond this machine: set PUBLIC_BASE_URL to the address people reach the service at (receipt links and QR codes are built from it), or listen on 127.0.0.1`);
  }
  return config;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** localhost, 127.0.0.0/8 or ::1: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}

/**
 * DATA_DIR holds the database, the operator token and the data key: only this user may enter it. An existing
 * directory is tightened too, with every file directly in it, since it may predate this rule.
 */
export function prepareDataDir(config: Config): void {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(config.dataDir, 0o700);
  for (const entry of fs.readdirSync(config.dataDir, { withFileTypes: true })) {
    if (entry.isFile()) fs.chmodSync(path.join(config.dataDir, entry.name), 0o600);
    else if (entry.isDirectory()) fs.chmodSync(path.join(config.dataDir, entry.name), 0o700);
  }
}

/**
 * The SM4 data key (32 hex characters): from DATA_KEY_FILE, which must exist, else DATA_DIR/data-key, written
 * (mode 0600) on first start. Losing it loses the encrypted fields; several nodes sharing a store share one key.
 */
export function resolveDataKey(config: Config): Buffer {
  const file = config.dataKeyFile ?? path.join(config.dataDir, "data-key");
  if (config.dataKeyFile === undefined && !fs.existsSync(file)) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${randomBytes(DATA_KEY_BYTES).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new ConfigError(`cannot read the data key ${file}${config.dataKeyFile ? " (DATA_KEY_FILE)" : ""}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!new RegExp(`^[0-9a-fA-F]{${DATA_KEY_BYTES * 2}}$`).test(text)) throw new ConfigError(`the data key ${file} must hold ${DATA_KEY_BYTES * 2} hex characters (${DATA_KEY_BYTES} bytes)`);
  return Buffer.from(text, "hex");
}

/**
 * The operator token: OPERATOR_TOKEN if set, else the one stored under DATA_DIR, else a new one written
 * there (mode 0600). `created` tells the caller to say where it was written (never the token itself).
 */
export function resolveOperatorToken(config: Config): { token: string; created: boolean; file: string | null } {
  if (config.operatorToken) return { token: config.operatorToken, created: false, file: null };
  const file = path.join(config.dataDir, "operator-token");
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, "utf8").trim(), created: false, file };
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const token = `op_${randomBytes(32).toString("base64url")}`;
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, created: true, file };
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  return raw;
}

function mqttConfig(env: NodeJS.ProcessEnv): MqttConfig {
  const publicUrl = mqttUrl(env, "MQTT_PUBLIC_URL");
  const url = mqttUrl(env, "MQTT_URL");
  if (url !== undefined) {
    if (env.MQTT_PASSWORD && env.MQTT_PASSWORD_FILE) throw new ConfigError("set MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both");
    const password = env.MQTT_PASSWORD_FILE ? secretFromFile(env.MQTT_PASSWORD_FILE, "MQTT_PASSWORD_FILE") : env.MQTT_PASSWORD || undefined;
    return { mode: "external", url, username: env.MQTT_USERNAME || undefined, password, publicUrl };
  }
  if (env.MQTT_PORT === "off") return { mode: "off" };
  return { mode: "embedded", port: int(env, "MQTT_PORT", 1883, 0, 65535), publicUrl };
}

function mqttUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (!URL.canParse(raw) || !/^mqtts?:$/.test(new URL(raw).protocol)) throw new ConfigError(`${name} must be an mqtt:// or mqtts:// URL`); // not echoed: it may carry a password
  return raw;
}

function secretFromFile(file: string, name: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new ConfigError(`cannot read ${name} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A cron pattern (five fields, or six with seconds first), checked by the scheduler that runs it; "off": none. */
function cron(env: NodeJS.ProcessEnv, name: string, fallback: string): string | null {
  const raw = env[name];
  if (raw === "off") return null;
  const pattern = raw === undefined || raw === "" ? fallback : raw;
  try {
    new Cron(pattern, { paused: true }).stop();
  } catch (err) {
    throw new ConfigError(`${name} must be a cron pattern such as "0 0 1 * *" or "off", got "${pattern}": ${err instanceof Error ? err.message : String(err)}`);
  }
  return pattern;
}

function onOff(env: NodeJS.ProcessEnv, name: string): "on" | "off" | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (raw !== "on" && raw !== "off") throw new ConfigError(`${name} must be "on" or "off", got "${raw}"`);
  return raw;
}

/** This node's identity (DATA_DIR/instance-id, made on first start): the batcher lease holder. */
export function instanceId(config: Config): string {
  const file = path.join(config.dataDir, "instance-id");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const id = `node-${randomBytes(8).toString("hex")}`;
  fs.writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}
