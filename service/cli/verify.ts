// `sealproof verify`: checks a receipt with the evidence core and a direct read of the chain, never taking
// the service's word for it, and only against a deployment the user pinned (never the one a receipt names).
import fs from "node:fs";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { formatDeployment, parseDeployment, readReceiptView, sameDeployment, verdictOf, verifyReceiptView, type Deployment, type ReceiptViewInput, type Verdict, type ViewReport } from "../evidence";
import { createChainReader } from "../chain/reader";
import { CliUsageError, type Command } from "./command";
import { DISCLOSURE_HELP, readDisclosure, verifyDisclosure } from "./verify-disclosure";
import { deploymentOf, fetchPublished, readTrusted, trustedFor, trustFilePath, type TrustedService } from "./trust-store";

const DEFAULT_RPC = "http://127.0.0.1:8545";

const HELP = `Usage: sealproof verify <bundle-file | receipt URL> [--deployment CHAINID:0xCONTRACT] [--rpc URL] [--json]
       sealproof verify --disclosure FILE [--deployment CHAINID:0xCONTRACT] [--rpc URL] [--json]

Verifies a sealproof receipt: that it names the deployment you trust, the record's SM3 leaf, its place in
the batch, the batch root stored by the trusted contract, the inclusion proof, the anchoring transaction,
for a seal usage the SM2 signature against the key in the seal's own registration receipt (for a smart
seal's stamp, the device's signature against the device's registration receipt), and the
company's registration receipt. Only the chain is trusted, read directly over JSON-RPC.

What you must pin, and why: a receipt names the chain and the SealAnchor contract it was anchored in, but
anyone can deploy a contract of the same code on the same chain and anchor invented records in it. So the
deployment (chain id and contract address) comes from you, never from the receipt, in this order:
  --deployment CHAINID:0xCONTRACT     e.g. 31337:0x5fbdb2315678afecb367f032d93f642f64180aa3
  $SEALPROOF_DEPLOYMENT               the same form
  the trust file                      written once by 'sealproof trust add <service URL>'
Without one, verify refuses to say VERIFIED. A receipt naming another deployment fails DEPLOYMENT_NOT_TRUSTED.

The argument is a file holding a receipt bundle (or the JSON of GET /api/v1/receipts/<id>), or a URL:
the receipt's API URL or its verify page URL (…/v/<id>); a URL's receipt id must be the record's.
A smart seal's stamp is checked with its story, as GET /api/v1/receipts/<id> bundles it: the device's signature
against its device.registered receipt ("deviceReceipt"), and, from the receipts in "story", that the request was
approved, that the custodian and the reviewer (two members) confirmed custody, and that the authorization was issued
to this device before the stamp, for this copy's receipt id and the stamp's time. Whatever the file bundles, a stamp
is AUTHORIZED only when all of that verifies; a stamp the device recorded as not authorized fails
STAMP_UNAUTHORIZED with its reasons. Linked files ("documents": the scan of the stamped page, the final PDF) are
listed once their document.linked receipts verify.

${DISCLOSURE_HELP}

Options:
  --deployment D  the trusted deployment, CHAINID:0xCONTRACT
  --rpc URL       the chain's JSON-RPC endpoint (default: $SEALPROOF_RPC_URL or ${DEFAULT_RPC})
  --disclosure F  check the disclosed location in F against its stamp's anchored commitment
  --json          print the report as JSON
  -h, --help      show this help

Exit status: 0 every step passed (with --disclosure, the location too); 1 a step failed (its code is printed),
or the record is not anchored yet; 2 wrong usage or no trusted deployment; 3 the chain could not be read
(nothing was decided).
The trust file is $SEALPROOF_TRUST_FILE, or ${trustFilePath()} here.`;

const EXIT_STATUS: Record<Verdict, number> = { verified: 0, failed: 1, inconclusive: 3 };

class PendingError extends Error {}

/** The receipt view read, and the receipt id the URL asked for. */
type Fetched = ReceiptViewInput & { receiptId?: string };

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify a receipt against the chain and a pinned deployment",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { deployment: { type: "string" }, rpc: { type: "string" }, json: { type: "boolean" }, disclosure: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== (values.disclosure === undefined ? 1 : 0)) throw new CliUsageError("give one bundle file or receipt URL, or --disclosure FILE alone");
    const disclosed = values.disclosure === undefined ? null : readDisclosure(values.disclosure);
    const source = values.disclosure ?? positionals[0];
    const explicit = values.deployment ?? (process.env.SEALPROOF_DEPLOYMENT || undefined);
    const pinned = explicit === undefined ? null : parseDeployment(explicit);
    if (explicit !== undefined && pinned === null) throw new CliUsageError(`${explicit} is not a deployment: give CHAINID:0xCONTRACT`);
    const trusted = pinned === null ? readTrusted() : [];
    if (pinned === null && trusted.length === 0) {
      console.error("sealproof verify: no trusted deployment, so nothing can be verified. Pin one with 'sealproof trust add <service URL>', --deployment CHAINID:0xCONTRACT, or SEALPROOF_DEPLOYMENT.");
      return 2;
    }
    if (disclosed !== null) return verifyDisclosure(disclosed, pinned ?? chooseTrusted(trusted, disclosed.receipt, source), values.rpc ?? process.env.SEALPROOF_RPC_URL ?? DEFAULT_RPC, values.json === true);
    let fetched: Fetched;
    try {
      fetched = await load(source);
    } catch (err) {
      if (!(err instanceof PendingError)) throw err;
      console.log("PENDING: the record is stored but its batch is not anchored yet; try again shortly.");
      return 1;
    }
    const deployment = pinned ?? chooseTrusted(trusted, fetched.receipt, source);
    if (pinned === null && /^https?:\/\//.test(source)) await warnIfRepublished(source, trusted);
    const rpc = values.rpc ?? process.env.SEALPROOF_RPC_URL ?? DEFAULT_RPC;
    const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
    let report: ViewReport;
    try {
      report = await verifyReceiptView(fetched, createChainReader(provider, deployment.contract), { deployment, receiptId: fetched.receiptId });
    } finally {
      provider.destroy();
    }
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else print(report, rpc, deployment);
    return EXIT_STATUS[verdictOf(report)];
  },
};

/**
 * Of the pinned deployments, the one the receipt names if it is among them (any pinned deployment is trusted),
 * else the service's own by URL, else the first: the receipt then fails DEPLOYMENT_NOT_TRUSTED, as it should.
 */
function chooseTrusted(trusted: TrustedService[], receipt: unknown, source: string): Deployment {
  const anchor = (receipt as { anchor?: { chainId?: unknown; contract?: unknown } } | null)?.anchor;
  const named = typeof anchor?.chainId === "number" && typeof anchor.contract === "string" ? parseDeployment(`${anchor.chainId}:${anchor.contract}`) : null;
  const match = named === null ? undefined : trusted.find((s) => sameDeployment(deploymentOf(s), named));
  const byUrl = /^https?:\/\//.test(source) ? trustedFor(source, trusted) : undefined;
  return deploymentOf(match ?? byUrl ?? trusted[0]);
}

/** A trusted service that now publishes another deployment has moved, or been taken over: the user must know. */
async function warnIfRepublished(source: string, trusted: TrustedService[]): Promise<void> {
  const entry = trustedFor(source, trusted);
  if (entry === undefined) return;
  const published = await fetchPublished(entry.url).catch(() => null);
  if (published !== null && !sameDeployment(published, deploymentOf(entry))) {
    console.error(
      `WARNING: ${entry.url} now publishes deployment ${formatDeployment(published)}, but you trusted ${formatDeployment(deploymentOf(entry))}. ` +
        "Receipts are still checked against the one you trusted; run 'sealproof trust add' again only if the operator confirms the move through another channel.",
    );
  }
}

async function load(source: string): Promise<Fetched> {
  let json: unknown;
  let receiptId: string | undefined;
  if (/^https?:\/\//.test(source)) {
    const url = new URL(source);
    url.pathname = url.pathname.replace(/\/v\/([^/]+)$/, "/api/v1/receipts/$1");
    receiptId = /\/api\/v1\/receipts\/([^/]+)$/.exec(url.pathname)?.[1];
    const res = await fetch(url);
    json = await res.json();
    if (!res.ok) throw new CliUsageError(`${url}: ${res.status} ${JSON.stringify(json)}`);
  } else {
    if (!fs.existsSync(source)) throw new CliUsageError(`${source}: no such file`);
    json = JSON.parse(fs.readFileSync(source, "utf8"));
  }
  const view = json as { status?: string; format?: string };
  if (view.status === "pending") throw new PendingError();
  if (view.format !== undefined) return { receipt: json, receiptId };
  return { ...readReceiptView(json), receiptId };
}

function print(report: ViewReport, rpc: string, deployment: Deployment): void {
  console.log(`trusted deployment: ${formatDeployment(deployment)}`);
  console.log(`chain: ${rpc}`);
  for (const step of report.steps) console.log(`${step.ok ? "✔" : "✘"} ${step.step.padEnd(10)} ${step.ok ? "" : `${step.code}: `}${step.message}`);
  const { company, seal } = report.facts;
  if (report.ok && company) console.log(`company (anchored): ${company.name ?? "(name not in its registration)"}, credit code ${company.creditCode ?? "—"}`);
  if (report.ok && seal) console.log(`seal (anchored): ${seal.name ?? "(name not in its registration)"}, ${seal.kind ?? "—"} ${seal.sealType ?? ""}`.trimEnd());
  const source = report.record?.data.sourceDocumentHash;
  if (report.ok && typeof source === "string") console.log(`stamped copy of the original with SM3 ${source} (declared in the signed usage)`);
  printStamp(report);
  for (const linked of report.linked) console.log(`linked ${linked.role} (anchored): SM3 ${linked.hash}`);
  const verdict = verdictOf(report);
  if (verdict === "verified") console.log("VERIFIED: every step passed.");
  else if (verdict === "inconclusive") console.log(`INCONCLUSIVE: ${report.code}; the chain could not be read, nothing was decided.`);
  else console.log(`FAILED: ${report.code}`);
}

/** A stamp's story in a line: authorized (with what proves it), or not, with the record's reasons. */
function printStamp(report: ViewReport): void {
  const { stamp } = report;
  if (stamp === null) return;
  if (report.ok && stamp.authorized) {
    const copy = stamp.copy ? `copy ${stamp.copy.k} of ${stamp.copy.n}` : "";
    console.log(`AUTHORIZED STAMP: ${copy}, approval ${stamp.approvalLevel ?? "—"}, custody confirmed by ${stamp.custodyRoles.join(" and ")}, device model ${stamp.deviceModel ?? "—"}`);
    if (stamp.requestDocumentHash) console.log(`approved document: SM3 ${stamp.requestDocumentHash}`);
  } else if (report.record?.data.authorized === false) {
    console.log(`NOT AUTHORIZED: the device recorded this stamp as not authorized (${stamp.reasons.join(", ") || "no reason given"})`);
  } else {
    console.log("NOT AUTHORIZED: the stamp's authorization could not be established");
  }
}
