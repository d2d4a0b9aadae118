// The document kind of linked documents: one per (usage, role, hash), so linking the same file twice answers the first
// link, however many requests race to make it. Merged into the domain's schema (domain/schema.ts).
import { kind, type Schema } from "../store/schema";
import type { LinkedDocumentRole } from "../evidence";

/** A file tied to a usage: its `document.linked` record, and who linked it. */
export interface DocumentLink {
  /** documentLinkId(receipt, role, hash). */
  id: string;
  company: string;
  /** The usage's receipt id. */
  receipt: string;
  role: LinkedDocumentRole;
  /** SM3 of the file, hex. */
  hash: string;
  /** The id of its document.linked record. */
  record: string;
  member: string;
  createdAt: string;
}

export const DOCUMENT_SCHEMA = {
  documentLinks: kind<DocumentLink>({ label: "document link" }),
} satisfies Schema;
