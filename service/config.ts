// Configuration from the environment, with embedded defaults so `npm start` needs nothing set up.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  operatorToken: string | undefined;
  bodyLimit: string;
  publicRateLimit: number;
  reservationTtlMs: number;
  verifyWorkers: number;
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
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: int(env, "PORT", 8080, 0, 65535),
    host: env.HOST ?? "127.0.0.1",
    dataDir: path.resolve(env.DATA_DIR ?? "data"),
    mongodbUri: env.MONGODB_URI || undefined,
    operatorToken: env.OPERATOR_TOKEN || undefined,
    bodyLimit: env.BODY_LIMIT ?? "64kb",
    publicRateLimit: int(env, "PUBLIC_RATE_LIMIT", 60, 1, 1_000_000),
    reservationTtlMs: int(env, "RESERVATION_TTL_MS", 24 * 3_600_000, 1_000, 30 * 24 * 3_600_000),
    verifyWorkers: int(env, "VERIFY_WORKERS", 1, 0, 64),
    chainRpcUrl: env.CHAIN_RPC_URL || undefined,
    anchorContract: env.ANCHOR_CONTRACT || undefined,
    anchorerKey: env.ANCHORER_KEY || undefined,
    anchorerKeyFile: env.ANCHORER_KEY_FILE || undefined,
    devChainPort: int(env, "DEV_CHAIN_PORT", 8545, 0, 65535),
    confirmations: int(env, "CONFIRMATIONS", 1, 1, 1000),
    batchMax: int(env, "BATCH_MAX", 4096, 1, 1 << 20),
    batchIntervalMs: int(env, "BATCH_INTERVAL_MS", 5000, 10, 86_400_000),
    publicBaseUrl: url(env, "PUBLIC_BASE_URL"),
    publicRpcUrl: url(env, "PUBLIC_RPC_URL"),
    rpcProxy: onOff(env, "RPC_PROXY"),
    rpcRateLimit: int(env, "RPC_RATE_LIMIT", 300, 1, 1_000_000),
  };
}

/**
 * The operator token: OPERATOR_TOKEN if set, else the one stored under DATA_DIR, else a new one written
 * there (mode 0600). `created` tells the caller to print it, which happens only that once.
 */
export function resolveOperatorToken(config: Config): { token: string; created: boolean; file: string | null } {
  if (config.operatorToken) return { token: config.operatorToken, created: false, file: null };
  const file = path.join(config.dataDir, "operator-token");
  if (fs.existsSync(file)) return { token: fs.readFileSync(file, "utf8").trim(), created: false, file };
  fs.mkdirSync(config.dataDir, { recursive: true });
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
  fs.mkdirSync(config.dataDir, { recursive: true });
  const id = `node-${randomBytes(8).toString("hex")}`;
  fs.writeFileSync(file, `${id}\n`);
  return id;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}
