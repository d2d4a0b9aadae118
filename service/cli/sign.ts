// `sealproof sign`: builds the usage TBS and signs it locally with the seal's SM2 private key.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { sm2PublicKeyOf, sm2Sign, sm3, toHex, usageTbsBytes, type UsageTbs } from "../evidence";
import { CliUsageError, type Command } from "./command";

const HELP = `Usage: sealproof sign --key FILE --seal ID --signer ID --receipt ID --scenario ID
                     (--document FILE | --document-hash HEX) [--request ID] [--signed-at ISO]
                     [--source FILE | --source-hash HEX]

Builds the usage TBS {v, receipt, seal, signer, signedAt, documentHash, scenario, request[, sourceDocumentHash]}, signs it with
the SM2 private key in FILE (as written by 'sealproof keygen'), and prints {"tbs","signature"}: the body
of POST /api/v1/usages. The key never leaves this machine.

Options:
  --key FILE            the seal's key pair file
  --seal ID             the seal (s_…)
  --signer ID           the member signing (m_…), the owner of the API key that submits
  --receipt ID          the receipt id reserved with POST /api/v1/usages/reservations
  --scenario ID         the scenario (sc_…)
  --document FILE       the document to seal; its SM3 hash is signed
  --document-hash HEX   or the document's SM3 hash directly (64 hex)
  --request ID          the approved request (r_…), when the scenario needs one
  --source FILE         when the document is a stamped copy of an approved original: that original;
                        its SM3 is signed as sourceDocumentHash and shown on the verify page
  --source-hash HEX     or the original's SM3 hash directly
  --signed-at ISO       the signing time (default: now)
  -h, --help            show this help`;

export interface KeyFile {
  privateKey: string;
  publicKey: string;
}

export function readKeyFile(file: string): KeyFile {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<KeyFile>;
  if (typeof parsed.privateKey !== "string") throw new CliUsageError(`${file} holds no privateKey`);
  return { privateKey: parsed.privateKey, publicKey: sm2PublicKeyOf(parsed.privateKey) };
}

export function fileSm3(file: string): string {
  return toHex(sm3(fs.readFileSync(file)));
}

export function signUsage(tbs: UsageTbs, privateKey: string): { tbs: UsageTbs; signature: string } {
  return { tbs, signature: sm2Sign(usageTbsBytes(tbs), privateKey) };
}

export const signCommand: Command = {
  name: "sign",
  summary: "sign a usage TBS locally with a seal's SM2 key",
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        key: { type: "string" }, seal: { type: "string" }, signer: { type: "string" }, receipt: { type: "string" }, scenario: { type: "string" },
        document: { type: "string" }, "document-hash": { type: "string" }, source: { type: "string" }, "source-hash": { type: "string" }, request: { type: "string" }, "signed-at": { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return void console.log(HELP);
    const missing = ["key", "seal", "signer", "receipt", "scenario"].filter((k) => !values[k as keyof typeof values]);
    if (missing.length > 0) throw new CliUsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
    if (!values.document === !values["document-hash"]) throw new CliUsageError("give exactly one of --document and --document-hash");
    const documentHash = values.document ? fileSm3(values.document) : (values["document-hash"] as string);
    if (!/^[0-9a-f]{64}$/.test(documentHash)) throw new CliUsageError("--document-hash must be 64 lowercase hex characters");
    if (values.source && values["source-hash"]) throw new CliUsageError("give at most one of --source and --source-hash");
    const sourceDocumentHash = values.source ? fileSm3(values.source) : values["source-hash"];
    if (sourceDocumentHash !== undefined && !/^[0-9a-f]{64}$/.test(sourceDocumentHash)) throw new CliUsageError("--source-hash must be 64 lowercase hex characters");
    const key = readKeyFile(values.key as string);
    const tbs: UsageTbs = {
      v: 1,
      receipt: values.receipt as string,
      seal: values.seal as string,
      signer: values.signer as string,
      signedAt: values["signed-at"] ?? new Date().toISOString(),
      documentHash,
      scenario: values.scenario as string,
      request: values.request ?? null,
      ...(sourceDocumentHash ? { sourceDocumentHash } : {}),
    };
    console.log(JSON.stringify(signUsage(tbs, key.privateKey), null, 2));
  },
};
