// A deployment is (chain id, SealAnchor address): what a verifier pins from somewhere other than the receipt,
// because anyone can deploy a contract of the same code and anchor invented records in it.

export interface Deployment {
  chainId: number;
  /** The SealAnchor address, lowercase 0x-hex. */
  contract: string;
}

const DEPLOYMENT_RE = /^(\d{1,15}):(0x[0-9a-fA-F]{40})$/;

/** Parses "<chainId>:<0xcontract>" (the form of --deployment and SEALPROOF_DEPLOYMENT), or null. */
export function parseDeployment(text: string): Deployment | null {
  const match = DEPLOYMENT_RE.exec(text.trim());
  if (match === null) return null;
  const chainId = Number(match[1]);
  return chainId > 0 ? { chainId, contract: match[2].toLowerCase() } : null;
}

export function formatDeployment(d: Deployment): string {
  return `${d.chainId}:${d.contract}`;
}

export function sameDeployment(a: Deployment, b: Deployment): boolean {
  return a.chainId === b.chainId && a.contract.toLowerCase() === b.contract.toLowerCase();
}

/** Where a service publishes its deployment, and that document's format. */
export const WELL_KNOWN_PATH = "/.well-known/sealproof.json";
export const WELL_KNOWN_FORMAT = "sealproof-deployment/1";

/** What GET /.well-known/sealproof.json answers: what a verifier pins once (`sealproof trust add`). */
export interface PublishedDeployment extends Deployment {
  format: typeof WELL_KNOWN_FORMAT;
  /** Where the contract's history starts; null when the node could not tell. */
  deploymentBlock: number | null;
  /** The platform key that signs commands to smart-seal devices; null until devices are enabled. */
  commandPublicKey: string | null;
  /** Where smart-seal devices reach the MQTT broker (mqtt:// or mqtts://); null when devices use HTTPS only. */
  mqttUrl: string | null;
  /** Base of the verify page links in QR codes. */
  publicBaseUrl: string;
}
