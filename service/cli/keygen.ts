// `sealproof keygen`: an SM2 key pair generated locally; the private key never leaves this machine.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { generateSm2KeyPair, type Sm2KeyPair } from "../evidence";
import { CliUsageError, type Command } from "./command";

const HELP = `Usage: sealproof keygen --out FILE

Generates an SM2 key pair for an electronic seal. Writes {"privateKey","publicKey"} to FILE (mode 0600)
and prints the public key, which is what you register with the seal. Refuses to overwrite FILE.

Options:
  --out FILE   where to write the key pair
  -h, --help   show this help`;

export const keygenCommand: Command = {
  name: "keygen",
  summary: "generate an SM2 key pair for an electronic seal",
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { out: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) return void console.log(HELP);
    if (!values.out) throw new CliUsageError("missing --out FILE");
    const keys = writeNewKeyPair(values.out);
    console.log(`key pair written to ${values.out}`);
    console.log(`public key: ${keys.publicKey}`);
  },
};

/** Generates an SM2 key pair and writes it to `file` (0600), refusing to overwrite a file that exists. */
export function writeNewKeyPair(file: string): Sm2KeyPair {
  const keys = generateSm2KeyPair();
  try {
    fs.writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new CliUsageError(`${file} exists; choose another file`);
    throw err;
  }
  return keys;
}
