// `sealproof seal-pdf --physical`: the paper copies of a document to be stamped by a smart seal, one per receipt id its
// device authorization reserved, each with the QR code of its receipt's verify link where the stamp will go.
import fs from "node:fs";
import { isReceiptId, verifyPageUrl } from "../evidence";
import { callApi } from "./http-client";
import { paperCopies, type CopiesOptions } from "./pdf-copies";
import { StampError } from "./pdf-stamp";
import { writeDurably } from "./durable-write";
import { CliUsageError } from "./command";
import type { ServiceAccess } from "./service-access";

const AUTHORIZATION_ID = /^au_[1-9A-HJ-NP-Za-km-z]+$/;

interface Authorization {
  id: string;
  receipts: string[];
  usedReceipts: string[];
  status: string;
  validUntil: string;
}

/** Writes `out`: the document at `input` once per receipt id of the authorization not stamped under yet, in its order. */
export async function writePaperCopies(access: ServiceAccess, authorizationId: string, input: string, out: string, placement: CopiesOptions): Promise<void> {
  if (!AUTHORIZATION_ID.test(authorizationId)) throw new CliUsageError(`--authorization must be an authorization id (au_…), not ${JSON.stringify(authorizationId)}`);
  const source = fs.readFileSync(input);
  const authorization = await callApi<Authorization>(access.url, access.apiKey, "GET", `/api/v1/authorizations/${authorizationId}`);
  const malformed = authorization.receipts.find((r) => !isReceiptId(r));
  if (malformed !== undefined) throw new Error(`the service answered a malformed receipt id: ${JSON.stringify(malformed)}`);
  if (authorization.status !== "open") throw new Error(`authorization ${authorizationId} is ${authorization.status}: the device stamps nothing more under it, so no copies were written`);
  const unused = authorization.receipts.filter((r) => !authorization.usedReceipts.includes(r));
  if (unused.length === 0) throw new Error(`every copy of authorization ${authorizationId} has been stamped already: no copies were written`);
  const copies = unused.map((receipt) => ({ receipt, verifyUrl: verifyPageUrl(access.publicBaseUrl, receipt) }));
  let bytes: Uint8Array;
  try {
    bytes = await paperCopies(source, copies, placement);
  } catch (err) {
    if (err instanceof StampError) throw new CliUsageError(err.message);
    throw err;
  }
  writeDurably(out, bytes);
  console.log(`wrote ${out}: ${copies.length} ${copies.length === 1 ? "copy" : "copies"} of ${input} for authorization ${authorizationId}, open until ${authorization.validUntil}`);
  if (unused.length < authorization.receipts.length) console.log(`left out ${authorization.receipts.length - unused.length} already stamped: ${authorization.usedReceipts.join(", ")}`);
  for (const [k, copy] of copies.entries()) console.log(`copy ${k + 1}: receipt ${copy.receipt}  verify: ${copy.verifyUrl}`);
}
