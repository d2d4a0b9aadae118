// Fetches GET /api/v1/receipts/:id and sorts the answer into what the page shows; nothing here is trusted yet.
export interface SealFacts {
  company: string;
  name: string;
  kind: string;
  type: string;
  status: string;
}

export type ReceiptFetch =
  /** `view`: the whole answer, for verifyReceiptView; `photoUrl`: where a published stamp photo is, on this origin only. */
  | { kind: "anchored"; view: unknown; receipt: unknown; seal: SealFacts | null; photoUrl: string | null }
  | { kind: "pending"; seal: SealFacts | null }
  | { kind: "not-found" }
  | { kind: "unavailable"; rateLimited: boolean };

export async function fetchReceipt(apiBase: string, receiptId: string): Promise<ReceiptFetch> {
  let res: Response;
  try {
    res = await fetch(`${apiBase}/receipts/${encodeURIComponent(receiptId)}`, { headers: { accept: "application/json" }, cache: "no-store" });
  } catch {
    return { kind: "unavailable", rateLimited: false };
  }
  // 400 is an id that cannot exist (not base58, wrong length): to a visitor that is the same as unknown.
  if (res.status === 404 || res.status === 400) return { kind: "not-found" };
  if (!res.ok) return { kind: "unavailable", rateLimited: res.status === 429 };
  const body = (await res.json().catch(() => null)) as { status?: unknown; receipt?: unknown; seal?: unknown; photo?: { url?: unknown } } | null;
  if (body === null) return { kind: "unavailable", rateLimited: false };
  const seal = sealFacts(body.seal);
  if (body.status === "anchored") return { kind: "anchored", view: body, receipt: body.receipt, seal, photoUrl: sameOrigin(body.photo?.url) };
  return { kind: "pending", seal };
}

/** A photo address the page may load: on this very origin, so no third party learns who looks at the receipt. */
function sameOrigin(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, location.href);
    return url.origin === location.origin ? url.href : null;
  } catch {
    return null;
  }
}

function sealFacts(value: unknown): SealFacts | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const text = (key: string): string => {
    const value = v[key];
    return typeof value === "string" ? value : "";
  };
  return { company: text("company"), name: text("name"), kind: text("kind"), type: text("type"), status: text("status") };
}
