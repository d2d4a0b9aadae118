// `sealproof audit`: export a company's audit bundle (or, for the operator, the whole log) and verify one; issue a
// month's report.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { parseArgs } from "node:util";
import { auditBundleLines } from "../audit/export";
import { WHOLE_LOG } from "../audit/bundle";
import { fetchOk } from "./http-client";
import { CliUsageError, type Command } from "./command";
import { dataDirOf, storeAdapters, verifyLogCommand } from "./verify-log";
import { runAuditVerify, VERIFY_HELP } from "./audit-verify";

const EXPORT_HELP = `Usage: sealproof audit export [--from ISO --to ISO | --from-cseq N --to-cseq N] --out FILE [--url URL] [--key KEY]
       sealproof audit export --all --out FILE [--data-dir DIR]

Writes the company's audit bundle (sealproof-audit/1, JSON Lines) to FILE, streamed: a header, the receipt of the
record before the range when it starts mid-chain, one receipt per anchored record in cseq order, the registration
receipts signatures are checked against, and an end line counting receipts and records left out as not yet anchored.
Check it with 'sealproof audit verify FILE'.

  --from ISO, --to ISO       records from the first whose time is at or after --from, up to the first at or after --to
  --from-cseq N, --to-cseq N the company's records N..M by their place in its chain (both inclusive)
  --out FILE                 where to write the bundle
  --url URL                  the service (default: $SEALPROOF_URL or http://127.0.0.1:8080)
  --key KEY                  an API key of an auditor or the legal representative (default: $SEALPROOF_API_KEY)
  --all                      the operator's export of the whole log, every company, read from the store itself
                             (MongoDB when $MONGODB_URI is set, else the SQLite store in --data-dir or $DATA_DIR)
  -h, --help                 show this help`;

const HELP = `Usage: sealproof audit <export | verify | report> [options]

  export   write an audit bundle (a company's records with their receipts, or the whole log)
  verify   check an audit bundle against the chain: receipts, the company's chain, signatures
  report   issue a month's audit report as PDF, XLSX or JSON, recorded so that the file verifies

Run 'sealproof audit <command> --help' for the options.`;

const RANGE_OPTIONS = { from: { type: "string" }, to: { type: "string" }, "from-cseq": { type: "string" }, "to-cseq": { type: "string" } } as const;

export const auditCommand: Command = {
  name: "audit",
  summary: "export an audit bundle, verify one against the chain, or issue a monthly report",
  help: HELP,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "export") return exportBundle(rest);
    if (sub === "verify") return verifyBundle(rest);
    // The report's module brings the HTTP layer's packages (express, zod, pdf-lib): loaded only for a report.
    if (sub === "report") return (await import("./audit-report")).auditReport(rest);
    if (sub === undefined || sub === "--help" || sub === "-h") return void console.log(HELP);
    throw new CliUsageError(`unknown audit command "${sub}"`);
  },
};

async function exportBundle(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...RANGE_OPTIONS, out: { type: "string" }, url: { type: "string" }, key: { type: "string" }, all: { type: "boolean" }, "data-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) return usage(EXPORT_HELP);
  if (positionals.length > 0) throw new CliUsageError(`unexpected arguments: ${positionals.join(" ")}`);
  if (values.out === undefined) throw new CliUsageError("give --out FILE");
  const out = path.resolve(values.out);
  if (values.all) {
    if (rangeQuery(values).size > 0) throw new CliUsageError("--all exports the whole log: no range");
    const { openStore } = await storeAdapters();
    const store = await openStore({ dataDir: dataDirOf(values["data-dir"]), mongodbUri: process.env.MONGODB_URI || undefined });
    try {
      await pipeline(Readable.from(auditBundleLines(store, { company: WHOLE_LOG, range: { by: "all" }, deployment: null, now: new Date() })), fs.createWriteStream(out));
    } finally {
      await store.close();
    }
    console.log(`wrote the whole log's audit bundle to ${out}`);
    return 0;
  }
  await download(bundleSource(values), out);
  console.log(`wrote the audit bundle to ${out}`);
  return 0;
}

async function verifyBundle(argv: string[]): Promise<number> {
  if (argv.includes("--all")) return (await verifyLogCommand.run(argv.filter((a) => a !== "--all"))) ?? 0;
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...RANGE_OPTIONS, url: { type: "string" }, key: { type: "string" }, rpc: { type: "string" }, contract: { type: "string" }, deployment: { type: "string" },
      "no-signatures": { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return usage(VERIFY_HELP);
  if (positionals.length > 1) throw new CliUsageError(`give one bundle file: ${positionals.join(" ")}`);
  const file = positionals[0];
  if ((file === undefined) === (values.url === undefined)) throw new CliUsageError("give a bundle file or --url URL --key KEY, one of them");
  if (file !== undefined && rangeQuery(values).size > 0) throw new CliUsageError("--from/--to and --from-cseq/--to-cseq choose what --url exports; a file holds its range already");
  const options = { rpc: values.rpc, contract: values.contract, deployment: values.deployment, signatures: values["no-signatures"] !== true, json: values.json === true };
  if (file !== undefined) {
    if (!fs.existsSync(file)) throw new CliUsageError(`${file}: no such file`);
    return runAuditVerify(file, options);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-audit-"));
  try {
    const downloaded = path.join(dir, "bundle.jsonl");
    await download(bundleSource(values), downloaded);
    return await runAuditVerify(downloaded, options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function usage(help: string): number {
  console.log(help);
  return 0;
}

interface BundleSource {
  url: URL;
  key: string;
}

function bundleSource(values: { url?: string; key?: string; from?: string; to?: string; "from-cseq"?: string; "to-cseq"?: string }): BundleSource {
  const key = values.key ?? process.env.SEALPROOF_API_KEY;
  if (!key) throw new CliUsageError("give --key KEY (or $SEALPROOF_API_KEY): an API key of an auditor or the legal representative");
  const url = new URL("/api/v1/audit/bundle", values.url ?? process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080");
  for (const [name, value] of rangeQuery(values)) url.searchParams.set(name, value);
  return { url, key };
}

function rangeQuery(values: { from?: string; to?: string; "from-cseq"?: string; "to-cseq"?: string }): Map<string, string> {
  const query = new Map<string, string>();
  for (const [option, name] of [["from", "from"], ["to", "to"], ["from-cseq", "fromCseq"], ["to-cseq", "toCseq"]] as const) {
    const value = values[option];
    if (value !== undefined) query.set(name, value);
  }
  return query;
}

/** Streams the bundle from the service into `out`; a refusal is the service's error code and message. */
async function download(source: BundleSource, out: string): Promise<void> {
  const res = await fetchOk(source.url, source.key);
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), fs.createWriteStream(out));
}
