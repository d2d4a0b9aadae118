// What the server tells the page in the HTML it renders (never taken from the receipt): which receipt to
// show, where the API is, and the default chain endpoint, which the visitor may replace with their own.
export const PAGE_CONFIG_ELEMENT_ID = "sealproof-config";

export interface PageConfig {
  receiptId: string;
  /** Base path of the JSON API on this origin. */
  apiBase: string;
  /** Default JSON-RPC endpoint; a path ("/rpc") is on this origin. null: the service offers none. */
  rpcUrl: string | null;
  /** The chain this service anchors on, shown beside the endpoint; null when unknown. */
  chainId: number | null;
}

export function readPageConfig(doc: Document): PageConfig {
  const text = doc.getElementById(PAGE_CONFIG_ELEMENT_ID)?.textContent ?? "";
  const raw = JSON.parse(text) as Partial<PageConfig>;
  return {
    receiptId: typeof raw.receiptId === "string" ? raw.receiptId : "",
    apiBase: typeof raw.apiBase === "string" ? raw.apiBase : "/api/v1",
    rpcUrl: typeof raw.rpcUrl === "string" ? raw.rpcUrl : null,
    chainId: typeof raw.chainId === "number" ? raw.chainId : null,
  };
}
