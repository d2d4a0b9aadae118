// The platform's command key: an SM2 key pair whose private half signs every command sent to a device, and whose
// public half each device receives at enrolment (and verifiers read in /.well-known/sealproof.json). A device obeys
// nothing else, so whoever holds this file commands every device: it stays under DATA_DIR (0600) or COMMAND_KEY_FILE.
import fs from "node:fs";
import path from "node:path";
import { generateSm2KeyPair, sm2PublicKeyOf, type Sm2KeyPair } from "../evidence";

export class CommandKeyError extends Error {}

/**
 * From `file` when given, which must exist and hold the private key as 64 hex characters; else DATA_DIR/command-key,
 * written on first start. Nodes serving the same devices share one key.
 */
export function loadCommandKey(dataDir: string, file: string | undefined): Sm2KeyPair {
  const where = file ?? path.join(dataDir, "command-key");
  if (file === undefined && !fs.existsSync(where)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(where, `${generateSm2KeyPair().privateKey}\n`, { mode: 0o600, flag: "wx" });
  }
  let text: string;
  try {
    text = fs.readFileSync(where, "utf8").trim();
  } catch (err) {
    throw new CommandKeyError(`cannot read the command key ${where}${file ? " (COMMAND_KEY_FILE)" : ""}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    return { privateKey: text.toLowerCase(), publicKey: sm2PublicKeyOf(text.toLowerCase()) };
  } catch (err) {
    throw new CommandKeyError(`the command key ${where} must hold an SM2 private key as 64 hex characters`, { cause: err });
  }
}
