// `sealproof audit verify`: an audit bundle against the chain the verifier pins (flags, environment or the trust
// file — never the bundle's header), with the SM2 signatures on every core; a summary table and each finding.
import os from "node:os";
import { JsonRpcProvider } from "ethers";
import { formatDeployment, type Deployment, type VerifyCode } from "../evidence";
import { createChainReader } from "../chain/reader";
import { verifyAuditBundle, type AuditVerifyReport } from "../audit/verify-bundle";
import { BUNDLE_CODES_EXPLAINED, type BundleCode } from "../audit/findings";
import { AUDIT_SM2_CHUNK } from "../audit/signatures";
import { createSm2Pool } from "../workers/sm2-pool";
import { CliUsageError } from "./command";
import { checkTarget } from "./verify-log";
import { auditProgress } from "./audit-progress";

export const VERIFY_HELP = `Usage: sealproof audit verify <BUNDLE.jsonl | --url URL --key KEY [--from ISO --to ISO | --from-cseq N --to-cseq N]>
                             [--rpc URL] [--contract 0x… | --deployment CHAINID:0x…] [--no-signatures] [--json]
       sealproof audit verify --all [--data-dir DIR | --file FILE] [--deployment CHAINID:0x…] [--rpc URL] [--json]

Checks an audit bundle (sealproof-audit/1) without trusting the service that exported it:
  - every receipt against the chain: the record hashes to its leaf, the path leads to its batch's root, and the
    pinned SealAnchor contract holds that root for that batch, anchored by the transaction the receipt names;
  - the company's chain: cseq contiguous with no gap, no repeat, no reordering, each prev the leaf hash of the
    record before it, nothing of another company, and the bundle not cut short;
  - every usage's SM2 signature against its seal's key, every stamp's against its device's key, from their
    registration receipts in the bundle (verified themselves), on all cores (--no-signatures skips them).
With --url the bundle is fetched from the service first (with the range options), then checked the same way.
--all is the operator's full-log check of the store ('sealproof verify-log'): every batch root recomputed from the
records and compared with the chain.

The deployment is pinned by --deployment CHAINID:0xCONTRACT, or --contract 0x… (the chain id is then the RPC's),
else $SEALPROOF_DEPLOYMENT, else $ANCHOR_CONTRACT, else the one deployment in the trust file ('sealproof trust add').
  --rpc URL        the chain's JSON-RPC endpoint (default: $SEALPROOF_RPC_URL, $CHAIN_RPC_URL, or http://127.0.0.1:8545)
  --json           print the report as JSON

Exit status: 0 everything holds; 1 findings (each listed by cseq, receipt id and failed check); 2 wrong usage;
3 inconclusive (the chain could not be read, or is not the pinned one).`;

export interface AuditVerifyCliOptions {
  rpc?: string;
  contract?: string;
  deployment?: string;
  signatures: boolean;
  json: boolean;
}

const RECEIPT_STEPS = ["format", "deployment", "leaf", "position", "chain", "proof", "anchor"] as const;
const EXIT_STATUS: Record<AuditVerifyReport["verdict"], number> = { verified: 0, failed: 1, inconclusive: 3 };
const PRINTED_FINDINGS = 50;

export async function runAuditVerify(file: string, options: AuditVerifyCliOptions): Promise<number> {
  if (options.contract !== undefined && options.deployment !== undefined) throw new CliUsageError("give --contract or --deployment, not both");
  if (options.contract !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(options.contract)) throw new CliUsageError(`--contract ${options.contract} is not a contract address`);
  const target = options.contract !== undefined ? { deployment: { chainId: null, contract: options.contract.toLowerCase() }, rpc: rpcUrl(options.rpc) } : checkTarget({ rpc: options.rpc, deployment: options.deployment });
  const provider = new JsonRpcProvider(target.rpc, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
  const pool = options.signatures ? createSm2Pool(os.availableParallelism(), undefined, AUDIT_SM2_CHUNK) : null;
  const progress = options.json ? undefined : auditProgress("verifying", "receipts");
  try {
    const deployment = await pinned(target.deployment, provider);
    if (deployment === null) {
      if (!options.json) console.log(`INCONCLUSIVE: the chain at ${target.rpc} could not be read to learn its chain id`);
      return 3;
    }
    const report = await verifyAuditBundle(file, { deployment, chain: createChainReader(provider, deployment.contract), pool, onProgress: (done, total, items) => progress?.update(done, total, items) });
    progress?.done();
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else print(report, deployment, target.rpc);
    return EXIT_STATUS[report.verdict];
  } finally {
    progress?.done();
    await pool?.close();
    provider.destroy();
  }
}

/** As verify-log and restore take it. */
function rpcUrl(option: string | undefined): string {
  return option ?? (process.env.SEALPROOF_RPC_URL || process.env.CHAIN_RPC_URL || "http://127.0.0.1:8545");
}

/** The pinned deployment; a contract pinned alone takes the RPC's chain id (null when the chain cannot be read). */
async function pinned(deployment: { chainId: number | null; contract: string }, provider: JsonRpcProvider): Promise<Deployment | null> {
  if (deployment.chainId !== null) return { chainId: deployment.chainId, contract: deployment.contract };
  try {
    return { chainId: Number((await provider.getNetwork()).chainId), contract: deployment.contract };
  } catch {
    return null;
  }
}

function print(report: AuditVerifyReport, deployment: Deployment, rpc: string): void {
  const header = report.header;
  const failedChecks = (checks: readonly string[]) => report.findings.filter((f) => checks.some((c) => f.check === c || f.check.startsWith(`${c} `))).length;
  const rows: [string, string, string][] = [
    ["bundle", header === null ? "unreadable" : `company ${header.company}, range ${JSON.stringify(header.range)}, exported ${header.exportedAt}`, ""],
    ["deployment", `${formatDeployment(deployment)} at ${rpc} (pinned; the header's is not used)`, ""],
    ["receipts", `${report.receipts} in ${report.batches} batches`, mark(failedChecks(RECEIPT_STEPS))],
    ["company chain", "cseq contiguous, prev links, nothing of another company", mark(failedChecks(["company-chain"]))],
    ["registrations", `${report.registrations} (seals, devices, company)`, mark(failedChecks(["registration"]))],
    ["signatures", report.signatures === null ? "skipped (--no-signatures)" : `${report.signatures} SM2 signatures`, report.signatures === null ? "-" : mark(failedChecks(["signature"]))],
    ["completeness", report.pending === null ? "no end line" : `${report.pending} records of the range not anchored yet, left out`, mark(failedChecks(["bundle"]))],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, what, ok] of rows) console.log(`${ok.padEnd(2)} ${name.padEnd(width)}  ${what}`);
  for (const f of report.findings.slice(0, PRINTED_FINDINGS)) {
    console.log(`✘ cseq ${f.cseq ?? "-"}  receipt ${f.receipt ?? "-"}  ${f.check}: ${f.code}: ${f.message}`);
  }
  const more = report.findings.length - PRINTED_FINDINGS + report.moreFindings;
  if (more > 0) console.log(`… and ${more} more findings (--json lists them)`);
  if (report.inconclusive !== null) console.log(`! ${report.inconclusive}`);
  const seconds = `${report.seconds.toFixed(1)} s`;
  if (report.verdict === "verified") console.log(`VERIFIED: every receipt, the company's chain${report.signatures === null ? "" : " and every signature"} hold (${seconds})`);
  else if (report.verdict === "failed") console.log(`FAILED: ${[...new Set(report.findings.map((f) => f.code))].map((c) => (isBundleCode(c) ? `${c} (${BUNDLE_CODES_EXPLAINED[c]})` : c)).join("; ")}`);
  else console.log(`INCONCLUSIVE: the chain could not be read; nothing else failed (${seconds})`);
}

const mark = (failures: number): string => (failures === 0 ? "✔" : "✘");

function isBundleCode(code: VerifyCode | BundleCode): code is BundleCode {
  return Object.hasOwn(BUNDLE_CODES_EXPLAINED, code);
}
