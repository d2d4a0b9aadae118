// The visitor's file, hashed with SM3 in the browser: the file itself never leaves the page.
import { sm3, toHex } from "../../service/evidence";

export async function fileSm3Hex(file: Blob): Promise<string> {
  return toHex(sm3(new Uint8Array(await file.arrayBuffer())));
}
