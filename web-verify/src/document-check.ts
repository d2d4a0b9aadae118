// The visitor's file, hashed with SM3 in the browser (the file itself never leaves the page), and which of the receipt's
// hashes it matches: the sealed file, the unstamped original, the approved document of a stamp, or a linked file.
import { sm3, toHex, type LinkedDocument, type ReceiptBundle } from "../../service/evidence";

export async function fileSm3Hex(file: Blob): Promise<string> {
  return bytesSm3Hex(new Uint8Array(await file.arrayBuffer()));
}

export function bytesSm3Hex(bytes: Uint8Array): string {
  return toHex(sm3(bytes));
}

/** What a file is to the receipt: `linked` names the role its document.linked record gives it (scan, final, print). */
export type DocumentMatch = { kind: "sealed" } | { kind: "source" } | { kind: "approved" } | { kind: "linked"; role: string } | null;

/**
 * Matches `hash` against the usage's sealed and original hashes, a stamp's approved document (from its verified
 * story), and the verified linked documents, in that order.
 */
export function documentMatch(hash: string, bundle: ReceiptBundle | null, approved: string | null, linked: LinkedDocument[]): DocumentMatch {
  const data = bundle?.record.data ?? {};
  if (typeof data.documentHash === "string" && hash === data.documentHash) return { kind: "sealed" };
  if (typeof data.sourceDocumentHash === "string" && hash === data.sourceDocumentHash) return { kind: "source" };
  if (approved !== null && hash === approved) return { kind: "approved" };
  const link = linked.find((l) => l.hash === hash);
  return link ? { kind: "linked", role: link.role } : null;
}
