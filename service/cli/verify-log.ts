// `sealproof verify-log`: the full-log check (anchoring/log-check.ts) of a store, a backup copy or a MongoDB
// deployment, against the SealAnchor deployment the operator pins, read directly over JSON-RPC.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { JsonRpcProvider } from "ethers";
import { BATCH_COUNT_SELECTOR, formatDeployment, parseDeployment } from "../evidence";
import { createChainReader } from "../chain/reader";
import { checkLog, LOG_CHECK_EXPLAINED, type AnchorView, type LogCheckReport, type LogSource } from "../anchoring/log-check";
import { openLogReader, SchemaVersionError, type SqliteLogReader } from "../store/sqlite/log-reader";
import { CliUsageError, type Command } from "./command";
import { terminalProgress } from "./progress";
import { deploymentOf, readTrusted, trustFilePath } from "./trust-store";

const DEFAULT_RPC = "http://127.0.0.1:8545";

/** The options of the check, shared with `sealproof restore`, which runs it on what it restored. */
export const CHECK_OPTIONS = { deployment: { type: "string" }, rpc: { type: "string" }, json: { type: "boolean" } } as const;

export const CHECK_OPTIONS_HELP = `  --deployment D  the SealAnchor deployment to check against, CHAINID:0xCONTRACT; else $SEALPROOF_DEPLOYMENT,
                  else $ANCHOR_CONTRACT (the service's own setting; the chain id is then the RPC's), else the
                  one deployment in the trust file ('sealproof trust add')
  --rpc URL       the chain's JSON-RPC endpoint (default: $SEALPROOF_RPC_URL, $CHAIN_RPC_URL, or ${DEFAULT_RPC})
  --json          print the report as JSON`;

const HELP = `Usage: sealproof verify-log [--data-dir DIR | --file FILE] [--deployment CHAINID:0xCONTRACT] [--rpc URL] [--json]

The full-log check: proves that a store holds every anchored record, unchanged. Every batch's stored records
are re-hashed into its RFC 6962 SM3 root, which must equal the root stored with the batch and the root the
SealAnchor contract holds for it; batches must be contiguous from seq 0, cover every sequenced record, and be as
many as the chain's. Run it on a restored backup, on a replica, or on the live store at any time (it only reads).

Which store: --file FILE (a store file or a 'sealproof backup' copy, opened read-only), else MongoDB when
$MONGODB_URI is set, else the SQLite store in --data-dir (default $DATA_DIR, or ./data).
The audit commands will offer this check as 'sealproof audit verify --all'.

Options:
  --data-dir DIR  the service's data directory (SQLite)
  --file FILE     a SQLite store file or backup copy
${CHECK_OPTIONS_HELP}
  -h, --help      show this help

Exit status: 0 every anchored batch matches (batches not yet on chain are listed as pending); 1 something
differs (the batch and what differs are printed); 2 wrong usage or no deployment to check against; 3 the chain
could not be read or is not the pinned one (the stored roots were still checked; nothing differed there).
The trust file is $SEALPROOF_TRUST_FILE, or ${trustFilePath()} here.`;

const EXIT_STATUS: Record<LogCheckReport["verdict"], number> = { verified: 0, failed: 1, inconclusive: 3 };

/** Problems printed in full; the rest are counted (--json has them all). */
const PRINTED_PROBLEMS = 20;

export interface CheckTarget {
  deployment: { chainId: number | null; contract: string };
  rpc: string;
  json: boolean;
}

export const verifyLogCommand: Command = {
  name: "verify-log",
  summary: "check every batch of a store against its root and the chain (full-log check)",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { "data-dir": { type: "string" }, file: { type: "string" }, ...CHECK_OPTIONS, help: { type: "boolean", short: "h" } },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length > 0) throw new CliUsageError(`unexpected arguments: ${positionals.join(" ")}`);
    if (values.file !== undefined && values["data-dir"] !== undefined) throw new CliUsageError("give --file or --data-dir, not both");
    const target = checkTarget(values);
    if (values.file === undefined && process.env.MONGODB_URI) {
      const { openStore } = await storeAdapters();
      const store = await openStore({ dataDir: dataDirOf(values["data-dir"]), mongodbUri: process.env.MONGODB_URI });
      try {
        return await runLogCheck(store, "MongoDB ($MONGODB_URI)", target);
      } finally {
        await store.close();
      }
    }
    const file = values.file ?? (await sqliteFileIn(dataDirOf(values["data-dir"])));
    return checkSqliteFile(file, target);
  },
};

/** The data directory as the service resolves it (config.ts): the option, else $DATA_DIR, else ./data. */
export function dataDirOf(option: string | undefined): string {
  return path.resolve(option ?? process.env.DATA_DIR ?? "data");
}

/** The store adapters, loaded on use: MongoDB's driver would otherwise lengthen every command's start-up. */
export const storeAdapters = () => import("../store/open");

/** The SQLite store file the service keeps in `dataDir`. */
export async function sqliteFileIn(dataDir: string): Promise<string> {
  return path.join(dataDir, (await storeAdapters()).SQLITE_FILE_NAME);
}

/** The check of a SQLite store file, opened read-only. */
export async function checkSqliteFile(file: string, target: CheckTarget): Promise<number> {
  if (!fs.existsSync(file)) throw new CliUsageError(`${file}: no such file`);
  const reader = openReadOnly(file);
  try {
    return await runLogCheck(reader, `SQLite ${file}`, target);
  } finally {
    reader.close();
  }
}

function openReadOnly(file: string): SqliteLogReader {
  try {
    return openLogReader(file);
  } catch (err) {
    if (err instanceof SchemaVersionError) throw new CliUsageError(err.message);
    throw err;
  }
}

/** Where to check against, from the options and the environment; a usage error when nothing pins a deployment. */
export function checkTarget(values: { deployment?: string; rpc?: string; json?: boolean }): CheckTarget {
  const rpc = values.rpc ?? (process.env.SEALPROOF_RPC_URL || process.env.CHAIN_RPC_URL || DEFAULT_RPC);
  const json = values.json === true;
  const explicit = values.deployment ?? (process.env.SEALPROOF_DEPLOYMENT || undefined);
  if (explicit !== undefined) {
    const deployment = parseDeployment(explicit);
    if (deployment === null) throw new CliUsageError(`${explicit} is not a deployment: give CHAINID:0xCONTRACT`);
    return { deployment, rpc, json };
  }
  const contract = process.env.ANCHOR_CONTRACT;
  if (contract) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(contract)) throw new CliUsageError(`ANCHOR_CONTRACT=${contract} is not a contract address`);
    return { deployment: { chainId: null, contract: contract.toLowerCase() }, rpc, json };
  }
  const trusted = readTrusted();
  if (trusted.length === 1) return { deployment: deploymentOf(trusted[0]), rpc, json };
  throw new CliUsageError(
    trusted.length === 0
      ? "no deployment to check against: give --deployment CHAINID:0xCONTRACT (or SEALPROOF_DEPLOYMENT, ANCHOR_CONTRACT, or pin the service with 'sealproof trust add')"
      : `the trust file holds ${trusted.length} deployments: say which with --deployment CHAINID:0xCONTRACT`,
  );
}

/** Runs the check of `source` against the target's chain, prints the report, and resolves with the exit status. */
export async function runLogCheck(source: LogSource, where: string, target: CheckTarget): Promise<number> {
  const provider = new JsonRpcProvider(target.rpc, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
  const progress = target.json ? undefined : terminalProgress("checking", "records");
  let report: LogCheckReport;
  try {
    report = await checkLog(source, anchorView(provider, target.deployment.contract), { deployment: target.deployment, onProgress: (done, total) => progress?.update(done, total) });
  } finally {
    progress?.done();
    provider.destroy();
  }
  if (target.json) console.log(JSON.stringify(report, null, 2));
  else print(report, where, target);
  return EXIT_STATUS[report.verdict];
}

/** SealAnchor `contract` as the check reads it, through the evidence core's reader plus batchCount(). */
export function anchorView(provider: JsonRpcProvider, contract: string): AnchorView {
  const reader = createChainReader(provider, contract);
  return {
    chainId: () => reader.chainId(),
    readBatch: (id) => reader.readBatch(id),
    batchCount: async () => {
      const result = await provider.call({ to: contract, data: BATCH_COUNT_SELECTOR });
      if (!/^0x[0-9a-fA-F]{64}$/.test(result)) throw new Error(`${contract} is not a SealAnchor contract on this chain (batchCount() returned ${result.slice(0, 20)})`);
      return Number(BigInt(result));
    },
  };
}

function print(report: LogCheckReport, where: string, target: CheckTarget): void {
  const { deployment } = report;
  const pinned = deployment.chainId === null ? `?:${deployment.contract}` : formatDeployment({ chainId: deployment.chainId, contract: deployment.contract });
  console.log(`store: ${where}: ${report.records} sequenced records in ${report.batches} batches`);
  console.log(`chain: ${pinned} at ${target.rpc}: ${report.chainBatches === null ? "not read" : `${report.chainBatches} batches anchored`}`);
  const failed = new Set(report.problems.map((p) => p.batch));
  const matching = report.batches - [...failed].filter((b) => b !== null && b < report.batches).length;
  console.log(`${matching === report.batches ? "✔" : "✘"} ${matching} of ${report.batches} batches re-hashed from ${report.checkedRecords} records match their stored root${report.chainBatches === null ? "" : " and the chain's"}`);
  for (const p of report.problems.slice(0, PRINTED_PROBLEMS)) console.log(`✘ ${p.code}: ${p.message}`);
  if (report.problems.length > PRINTED_PROBLEMS) console.log(`… and ${report.problems.length - PRINTED_PROBLEMS} more problems (--json lists them all)`);
  const { batches, records, waiting } = report.pending;
  if (batches !== null) console.log(`pending: batches ${batches.from}–${batches.to} are closed but not on chain yet; the service's batcher anchors them`);
  if (records > 0) console.log(`pending: ${records} sequenced records are in no batch yet`);
  if (waiting > 0) console.log(`pending: ${waiting} accepted records wait for the sequencer (they are in no batch, so nothing proves them yet)`);
  if (report.inconclusive !== null) console.log(`! ${report.inconclusive.code}: ${report.inconclusive.message}`);
  const seconds = `${report.seconds.toFixed(1)} s`;
  if (report.verdict === "verified") console.log(`VERIFIED: the store holds every anchored record, unchanged (${seconds})`);
  else if (report.verdict === "failed") console.log(`FAILED: ${[...new Set(report.problems.map((p) => p.code))].map((c) => `${c} (${LOG_CHECK_EXPLAINED[c]})`).join("; ")}`);
  else console.log(`INCONCLUSIVE: ${LOG_CHECK_EXPLAINED[report.inconclusive?.code ?? "CHAIN_UNREACHABLE"]}; the stored records match the stored roots (${seconds})`);
}
