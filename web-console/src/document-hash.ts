// The document's SM3, computed here in the browser: the file itself never leaves the page, only its digest is sent.
// It reads the evidence core's pure-TypeScript SM3 directly, so the console bundles none of the receipt checking.
import { toHex } from "../../service/evidence/bytes";
import { sm3 } from "../../service/evidence/sm3";

export async function fileSm3Hex(file: Blob): Promise<string> {
  return toHex(sm3(new Uint8Array(await file.arrayBuffer())));
}
