// The verifier's trust file: deployments pinned once with `sealproof trust add` (from a service's
// /.well-known/sealproof.json), used by `sealproof verify` and `seal-pdf` instead of anything a receipt says.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseDeployment, WELL_KNOWN_FORMAT, WELL_KNOWN_PATH, type Deployment, type PublishedDeployment } from "../evidence";

export const TRUST_FORMAT = "sealproof-trust/1";

export interface TrustedService extends PublishedDeployment {
  /** The service's origin, as given to `trust add`. */
  url: string;
  addedAt: string;
}

interface TrustFile {
  format: typeof TRUST_FORMAT;
  services: TrustedService[];
}

/** $SEALPROOF_TRUST_FILE, else $XDG_CONFIG_HOME/sealproof/trust.json, else ~/.config/sealproof/trust.json. */
export function trustFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SEALPROOF_TRUST_FILE) return path.resolve(env.SEALPROOF_TRUST_FILE);
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config"), "sealproof", "trust.json");
}

export function readTrusted(file = trustFilePath()): TrustedService[] {
  if (!fs.existsSync(file)) return [];
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<TrustFile>;
  if (parsed.format !== TRUST_FORMAT || !Array.isArray(parsed.services)) throw new Error(`${file} is not a ${TRUST_FORMAT} file`);
  return parsed.services;
}

/** Adds or replaces the entry for `service.url`; written to a temporary file and renamed, so a crash leaves the old file. */
export function saveTrusted(service: TrustedService, file = trustFilePath()): void {
  const services = readTrusted(file).filter((s) => s.url !== service.url);
  services.push(service);
  writeTrustFile(file, { format: TRUST_FORMAT, services });
}

export function removeTrusted(url: string, file = trustFilePath()): boolean {
  const services = readTrusted(file);
  const kept = services.filter((s) => s.url !== url);
  if (kept.length === services.length) return false;
  writeTrustFile(file, { format: TRUST_FORMAT, services: kept });
  return true;
}

function writeTrustFile(file: string, content: TrustFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** The service's origin: trust is per service, whatever path a receipt URL has. */
export function serviceOrigin(url: string): string {
  return new URL(url).origin;
}

/** The trusted entry for a service URL: matched on the origin it was added with or on its public base URL. */
export function trustedFor(url: string, services: TrustedService[]): TrustedService | undefined {
  const origin = serviceOrigin(url);
  return services.find((s) => s.url === origin) ?? services.find((s) => serviceOrigin(s.publicBaseUrl) === origin);
}

export function deploymentOf(service: TrustedService): Deployment {
  return { chainId: service.chainId, contract: service.contract.toLowerCase() };
}

/** Fetches and checks a service's published deployment. */
export async function fetchPublished(url: string): Promise<PublishedDeployment> {
  const wellKnown = new URL(WELL_KNOWN_PATH, serviceOrigin(url));
  let res: Response;
  try {
    res = await fetch(wellKnown, { headers: { accept: "application/json" } });
  } catch (err) {
    throw new Error(`cannot reach ${wellKnown}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`, { cause: err });
  }
  if (!res.ok) throw new Error(`${wellKnown}: HTTP ${res.status}`);
  return parsePublished(await res.json().catch(() => null), String(wellKnown));
}

function parsePublished(value: unknown, source: string): PublishedDeployment {
  const v = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const deployment = typeof v.chainId === "number" && typeof v.contract === "string" ? parseDeployment(`${v.chainId}:${v.contract}`) : null;
  const block = v.deploymentBlock;
  const key = v.commandPublicKey;
  if (v.format !== WELL_KNOWN_FORMAT || deployment === null || typeof v.publicBaseUrl !== "string" || !URL.canParse(v.publicBaseUrl)) {
    throw new Error(`${source} is not a ${WELL_KNOWN_FORMAT} document`);
  }
  const blockOk = block === null || (typeof block === "number" && Number.isSafeInteger(block));
  if (!blockOk || !(key === null || typeof key === "string")) throw new Error(`${source} is not a ${WELL_KNOWN_FORMAT} document`);
  return { format: WELL_KNOWN_FORMAT, ...deployment, deploymentBlock: block, commandPublicKey: key, mqttUrl: typeof v.mqttUrl === "string" ? v.mqttUrl : null, publicBaseUrl: v.publicBaseUrl };
}
