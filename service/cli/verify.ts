// `sealproof verify`: checks a receipt with the evidence core and a direct read of the chain, never
// taking the service's word for it. Exit 0 when every step passes, 1 with the failed step's code.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { verifyReceipt, type VerifyReport } from "../evidence";
import { createChainReader } from "../chain/reader";
import { CliUsageError, type Command } from "./command";

const DEFAULT_RPC = "http://127.0.0.1:8545";

const HELP = `Usage: sealproof verify <bundle-file | receipt URL> [--rpc URL] [--json]

Verifies a sealproof receipt: the record's SM3 leaf, its place in the batch, the batch root stored on
chain, the inclusion proof, the anchoring transaction, and for a seal usage the SM2 signature against the
key in the seal's own registration receipt. Only the chain is trusted, read directly over JSON-RPC.

The argument is a file holding a receipt bundle (or the JSON of GET /api/v1/receipts/<id>), or a URL:
the receipt's API URL or its verify page URL (…/v/<id>).

Options:
  --rpc URL   the chain's JSON-RPC endpoint (default: $SEALPROOF_RPC_URL or ${DEFAULT_RPC})
  --json      print the report as JSON
  -h, --help  show this help

Exit status: 0 all steps passed, 1 a step failed (its code is printed), 2 wrong usage.`;

class PendingError extends Error {}

interface Fetched {
  receipt: unknown;
  sealReceipt?: unknown;
}

export const verifyCommand: Command = {
  name: "verify",
  summary: "verify a receipt against the chain",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { rpc: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } } });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1) throw new CliUsageError("give one bundle file or receipt URL");
    let fetched: Fetched;
    try {
      fetched = await load(positionals[0]);
    } catch (err) {
      if (!(err instanceof PendingError)) throw err;
      console.log("PENDING: the record is stored but its batch is not anchored yet; try again shortly.");
      return 1;
    }
    const rpc = values.rpc ?? process.env.SEALPROOF_RPC_URL ?? DEFAULT_RPC;
    const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
    let report: VerifyReport;
    try {
      report = await verifyReceipt(fetched.receipt, createChainReader(provider), { sealReceipt: fetched.sealReceipt });
    } finally {
      provider.destroy();
    }
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else print(report, rpc);
    return report.ok ? 0 : 1;
  },
};

async function load(source: string): Promise<Fetched> {
  let json: unknown;
  if (/^https?:\/\//.test(source)) {
    const url = new URL(source);
    url.pathname = url.pathname.replace(/\/v\/([^/]+)$/, "/api/v1/receipts/$1");
    const res = await fetch(url);
    json = await res.json();
    if (!res.ok) throw new CliUsageError(`${url}: ${res.status} ${JSON.stringify(json)}`);
  } else {
    if (!fs.existsSync(source)) throw new CliUsageError(`${source}: no such file`);
    json = JSON.parse(fs.readFileSync(source, "utf8"));
  }
  const view = json as { status?: string; receipt?: unknown; sealReceipt?: unknown; format?: string };
  if (view.status === "pending") throw new PendingError();
  return view.format !== undefined ? { receipt: json } : { receipt: view.receipt, sealReceipt: view.sealReceipt };
}

function print(report: VerifyReport, rpc: string): void {
  console.log(`chain: ${rpc}`);
  for (const step of report.steps) console.log(`${step.ok ? "✔" : "✘"} ${step.step.padEnd(9)} ${step.ok ? "" : `${step.code}: `}${step.message}`);
  console.log(report.ok ? "VERIFIED: every step passed." : `FAILED: ${report.code}`);
}
