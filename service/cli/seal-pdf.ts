// `sealproof seal-pdf`: reserve a receipt id, stamp the seal, the QR of the verify link and the short id
// onto the PDF, hash the final file with SM3, sign the usage TBS locally, submit it, and only then write it.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { isReceiptId, sm3, toHex, verifyPageUrl } from "../evidence";
import { callApi } from "./http-client";
import { readKeyFile, signUsage } from "./sign";
import { stampPdf, StampError } from "./pdf-stamp";
import { CliUsageError, type Command } from "./command";
import { readTrusted, trustedFor } from "./trust-store";

const HELP = `Usage: sealproof seal-pdf IN.pdf --seal ID --key FILE --scenario ID [--request ID] --out OUT.pdf [options]

Seals a PDF with an electronic seal: reserves a receipt id, stamps the seal image, a QR code of the
receipt's verify page and a short form of the id onto the page, computes the SM3 hash of the final file,
signs the usage locally with the seal's SM2 key (it never leaves this machine), records the usage, and
writes OUT.pdf. The SM3 of IN.pdf is signed as the source document, so a request approved for the
unstamped original is accepted and the verify page shows the relation.

The QR's link is built here from the public base URL of the service as pinned with
'sealproof trust add <service URL>' (never from what the service answers), so a service gone bad cannot
make the paper point elsewhere.

Options:
  --seal ID            the electronic seal (s_…)
  --key FILE           the seal's key pair file (from 'sealproof keygen')
  --scenario ID        the scenario (sc_…)
  --request ID         the approved request (r_…), when the scenario needs approval
  --out FILE           where to write the sealed PDF (refuses to overwrite IN.pdf)
  --page N             page to stamp, 1-based (default: the last page)
  --x PT --y PT        lower-left corner of the stamp in points (default: bottom right)
  --image FILE         PNG or JPEG image of the seal (default: a drawn red seal)
  --url URL            the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --api-key-file FILE  a file holding your API key (default: $SEALPROOF_API_KEY); never put a key on the command line
  -h, --help           show this help`;

interface Reservation {
  receipt: string;
}

export const sealPdfCommand: Command = {
  name: "seal-pdf",
  summary: "seal a PDF: stamp seal and QR, sign locally, record the usage",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seal: { type: "string" }, key: { type: "string" }, scenario: { type: "string" }, request: { type: "string" }, out: { type: "string" },
        page: { type: "string" }, x: { type: "string" }, y: { type: "string" }, image: { type: "string" }, url: { type: "string" }, "api-key-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1) throw new CliUsageError("give one input PDF");
    const missing = ["seal", "key", "scenario", "out"].filter((k) => !values[k as keyof typeof values]);
    if (missing.length > 0) throw new CliUsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
    const input = positionals[0];
    const out = values.out as string;
    if (!fs.existsSync(input)) throw new CliUsageError(`${input}: no such file`);
    if (fs.existsSync(out) && fs.realpathSync(out) === fs.realpathSync(input)) throw new CliUsageError("--out must not be the input file");
    const apiKey = values["api-key-file"] ? fs.readFileSync(values["api-key-file"], "utf8").trim() : process.env.SEALPROOF_API_KEY;
    if (!apiKey) throw new CliUsageError("give your API key in a file with --api-key-file, or in $SEALPROOF_API_KEY");
    const url = values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
    const trusted = trustedFor(url, readTrusted());
    if (trusted === undefined) throw new CliUsageError(`${url} is not a trusted service: run 'sealproof trust add ${url}' first (the QR's link is built from its pinned public base URL)`);
    const key = readKeyFile(values.key as string);
    const source = fs.readFileSync(input);
    const image = values.image ? fs.readFileSync(values.image) : undefined;

    const me = await callApi<{ id: string }>(url, apiKey, "GET", "/api/v1/me");
    const reservation = await callApi<Reservation>(url, apiKey, "POST", "/api/v1/usages/reservations", { seal: values.seal });
    if (!isReceiptId(reservation.receipt)) throw new Error(`the service answered a malformed receipt id: ${JSON.stringify(reservation.receipt)}`);
    const verifyUrl = verifyPageUrl(trusted.publicBaseUrl, reservation.receipt);
    let sealed: Uint8Array;
    try {
      sealed = await stampPdf(source, { page: optionalNumber(values.page, "--page"), x: optionalNumber(values.x, "--x"), y: optionalNumber(values.y, "--y"), image, verifyUrl, receipt: reservation.receipt });
    } catch (err) {
      if (err instanceof StampError) throw new CliUsageError(err.message);
      throw err;
    }
    const documentHash = toHex(sm3(sealed));
    const signed = signUsage(
      {
        v: 1, receipt: reservation.receipt, seal: values.seal as string, signer: me.id, signedAt: new Date().toISOString(),
        documentHash, scenario: values.scenario as string, request: values.request ?? null, sourceDocumentHash: toHex(sm3(source)),
      },
      key.privateKey,
    );
    const usage = await callApi<{ id: string }>(url, apiKey, "POST", "/api/v1/usages", signed);
    writeDurably(out, sealed);
    console.log(`sealed ${out} (SM3 ${documentHash})`);
    console.log(`usage recorded as record ${usage.id} (its seq comes when it is sequenced, within a batch interval); receipt ${reservation.receipt}`);
    console.log(`verify: ${verifyUrl}`);
  },
};

/** Temporary file, fsync, rename, fsync the folder: OUT.pdf is the whole sealed file or is not there. */
function writeDurably(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w", 0o644);
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliUsageError(`${name} must be a number`);
  return n;
}
