// What the server tells the page in the HTML it renders (never taken from the receipt): which receipt to
// show, where the API is, the deployment receipts must name, and the default chain endpoint, which the
// visitor may replace with their own.
import { parseDeployment, type Deployment } from "../../service/evidence/deployment";

export const PAGE_CONFIG_ELEMENT_ID = "sealproof-config";

export interface PageConfig {
  receiptId: string;
  /** Base path of the JSON API on this origin. */
  apiBase: string;
  /** Default JSON-RPC endpoint; a path ("/rpc") is on this origin. null: the service offers none. */
  rpcUrl: string | null;
  /** The deployment (chain id and SealAnchor) this service anchors in, from its configuration; null when unknown. */
  deployment: Deployment | null;
}

/** The config as the server writes it into the page: the deployment as "<chainId>:<0xcontract>". */
export interface PageConfigJson {
  receiptId: string;
  apiBase: string;
  rpcUrl: string | null;
  deployment: string | null;
}

export function readPageConfig(doc: Document): PageConfig {
  const text = doc.getElementById(PAGE_CONFIG_ELEMENT_ID)?.textContent ?? "";
  const raw = JSON.parse(text) as Partial<Record<keyof PageConfigJson, unknown>>;
  return {
    receiptId: typeof raw.receiptId === "string" ? raw.receiptId : "",
    apiBase: typeof raw.apiBase === "string" ? raw.apiBase : "/api/v1",
    rpcUrl: typeof raw.rpcUrl === "string" ? raw.rpcUrl : null,
    deployment: typeof raw.deployment === "string" ? parseDeployment(raw.deployment) : null,
  };
}
