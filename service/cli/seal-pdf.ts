// `sealproof seal-pdf`: reserve a receipt id, stamp the seal, the QR of the verify link and the short id
// onto the PDF, hash the final file with SM3, sign the usage TBS locally, submit it, and only then write it.
// With --physical: the paper copies of a physical seal's authorization instead (seal-pdf-physical.ts).
import fs from "node:fs";
import { parseArgs } from "node:util";
import { isReceiptId, sm3, toHex, verifyPageUrl } from "../evidence";
import { callApi } from "./http-client";
import { readKeyFile, signUsage } from "./sign";
import { stampPdf, StampError } from "./pdf-stamp";
import { CliUsageError, type Command } from "./command";
import { serviceAccess } from "./service-access";
import { writePaperCopies } from "./seal-pdf-physical";
import { writeDurably } from "./durable-write";

const HELP = `Usage: sealproof seal-pdf IN.pdf --seal ID --key FILE --scenario ID [--request ID] --out OUT.pdf [options]
       sealproof seal-pdf --physical --authorization ID IN.pdf --out OUT.pdf [options]

Seals a PDF with an electronic seal: reserves a receipt id, stamps the seal image, a QR code of the
receipt's verify page and a short form of the id onto the page, computes the SM3 hash of the final file,
signs the usage locally with the seal's SM2 key (it never leaves this machine), records the usage, and
writes OUT.pdf. The SM3 of IN.pdf is signed as the source document, so a request approved for the
unstamped original is accepted and the verify page shows the relation.

The QR's link is built here from the public base URL of the service as pinned with
'sealproof trust add <service URL>' (never from what the service answers), so a service gone bad cannot
make the paper point elsewhere.

With --physical, prepares the paper copies of a document to be stamped with a physical seal in its
smart-seal device: OUT.pdf holds IN.pdf once per receipt id the device authorization (au_…, issued once
custody was confirmed) reserved and not yet stamped under, in the authorization's order, so printing the
file once gives every copy. Each copy's stamp page carries the QR code of its receipt's verify page, its
short id and "copy k of N" beside a faint ring where the seal goes; no seal image (the ink is the
device's). Print the copies, then stamp them in order: a device that does not scan the QR code records
each stamp under the next unused receipt id. The requester of the request, and those who read every
request, may read its authorization. Nothing is recorded: the stamps are, by the device.

Options:
  --physical           paper copies for a physical seal's stamps (with --authorization; no --seal, --key, --scenario, --request, --image)
  --authorization ID   the device authorization (au_…) whose reserved receipt ids go on the copies
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

type Option = "seal" | "key" | "scenario" | "request" | "image" | "authorization" | "out";
/** What each kind of sealing needs, and what it has no use for. */
const ELECTRONIC: { needs: Option[]; refuses: Option[] } = { needs: ["seal", "key", "scenario", "out"], refuses: ["authorization"] };
const PHYSICAL: { needs: Option[]; refuses: Option[] } = { needs: ["authorization", "out"], refuses: ["seal", "key", "scenario", "request", "image"] };

export const sealPdfCommand: Command = {
  name: "seal-pdf",
  summary: "seal a PDF: stamp seal and QR, sign locally, record the usage; or, --physical, the QR-coded copies to stamp",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seal: { type: "string" }, key: { type: "string" }, scenario: { type: "string" }, request: { type: "string" }, out: { type: "string" },
        page: { type: "string" }, x: { type: "string" }, y: { type: "string" }, image: { type: "string" }, url: { type: "string" }, "api-key-file": { type: "string" },
        physical: { type: "boolean" }, authorization: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1) throw new CliUsageError("give one input PDF");
    const kind = values.physical ? PHYSICAL : ELECTRONIC;
    const missing = kind.needs.filter((k) => !values[k]);
    if (missing.length > 0) throw new CliUsageError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
    const foreign = kind.refuses.filter((k) => values[k] !== undefined);
    if (foreign.length > 0) throw new CliUsageError(`${foreign.map((m) => `--${m}`).join(", ")} ${values.physical ? "is for electronic seals, not with --physical" : "needs --physical"}`);
    const input = positionals[0];
    const out = values.out as string;
    if (!fs.existsSync(input)) throw new CliUsageError(`${input}: no such file`);
    if (fs.existsSync(out) && fs.realpathSync(out) === fs.realpathSync(input)) throw new CliUsageError("--out must not be the input file");
    const access = serviceAccess(values);
    const placement = { page: optionalNumber(values.page, "--page"), x: optionalNumber(values.x, "--x"), y: optionalNumber(values.y, "--y") };
    if (values.physical) return writePaperCopies(access, values.authorization as string, input, out, placement);
    const { url, apiKey } = access;
    const key = readKeyFile(values.key as string);
    const source = fs.readFileSync(input);
    const image = values.image ? fs.readFileSync(values.image) : undefined;

    const me = await callApi<{ id: string }>(url, apiKey, "GET", "/api/v1/me");
    const reservation = await callApi<Reservation>(url, apiKey, "POST", "/api/v1/usages/reservations", { seal: values.seal });
    if (!isReceiptId(reservation.receipt)) throw new Error(`the service answered a malformed receipt id: ${JSON.stringify(reservation.receipt)}`);
    const verifyUrl = verifyPageUrl(access.publicBaseUrl, reservation.receipt);
    let sealed: Uint8Array;
    try {
      sealed = await stampPdf(source, { ...placement, image, verifyUrl, receipt: reservation.receipt });
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

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliUsageError(`${name} must be a number`);
  return n;
}
