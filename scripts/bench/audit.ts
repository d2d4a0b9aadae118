// Benchmark: the operator's audit bundle of 1,000,000 records (four companies interleaved in every batch; usages and
// stamps with real SM2 signatures, the rest other record types) exported from a real SQLite store and verified against
// a real anvil node, each as a user runs it: `sealproof audit export --all` and `sealproof audit verify` in processes
// of their own (bin/sealproof.js), whose peak RSS the memory goal is about. The whole log is the largest export there
// is; an auditor's export through the service streams a company's part of it with the same auditBundleLines. Filling
// and anchoring the store is set-up, done in this process beforehand. Peers in the same run: the SM3 limit (leaf and
// node hashes of the same records, buildTree alone, measured before the export and after verify --no-signatures) for
// verification without signatures, and the raw single-thread SM2 verify rate times the cores.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { JsonRpcProvider, Wallet } from "ethers";
import { Batcher } from "../../service/anchoring/batcher";
import { ALERT_SCHEMA } from "../../service/alerts/schema";
import { connectAnchorClient } from "../../service/chain/anchor-client";
import { deploySealAnchor } from "../../service/chain/deploy";
import { DEV_ANCHORER_KEY, startDevChain } from "../../service/chain/dev-chain";
import { buildTree, generateSm2KeyPair, parseReceipt, sm2Sign, sm2Verify, sm3, usageTbsBytes, utf8, type UsageTbs } from "../../service/evidence";
import { deviceMessageBytes, type UnsignedDeviceMessage } from "../../service/evidence/device-message";
import { openStore } from "../../service/store/open";
import type { RecordDraft, Store } from "../../service/store/port";
import { createSm2Pool } from "../../service/workers/sm2-pool";
import type { AuditVerifyReport } from "../../service/audit/verify-bundle";
import { AUDIT_SM2_CHUNK, registrationKey, SignatureChecks, type Registrations } from "../../service/audit/signatures";

const RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 1_000_000);
const COMPANIES = 4;
/** Signed records per company: signing is ~1,400/s here, so a million distinct signatures would take 12 minutes. */
const USAGES = Number(process.env.BENCH_AUDIT_USAGES ?? 10_000);
const STAMPS = Number(process.env.BENCH_AUDIT_STAMPS ?? 2_500);
const CHUNK = 8_192;
const BATCH = 4_096;
const RAW_VERIFIES = 2_000;
/** BENCH_AUDIT_KEEP=1 leaves the bundle and the chain's saved state in place, to profile audit verify against them later. */
const KEEP = process.env.BENCH_AUDIT_KEEP === "1";
const GOALS = { limitRatio: 3, sigRatio: 0.8, rssMB: 300 };
const CLI = path.join(__dirname, "..", "..", "bin", "sealproof.js");
const PEAK_RSS = path.join(__dirname, "peak-rss.js");

interface Company {
  id: string;
  seal: string;
  device: string;
  member: string;
  /** Signed records waiting to be written, consumed as the fill goes. */
  signed: RecordDraft[];
}

const progress = (message: string) => process.stderr.write(`[bench:audit] ${message}\n`);
const int = (x: number): string => Math.round(x).toLocaleString("en-US");
const receiptId = () => bs58.encode(randomBytes(16));
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(2)).join(" ");

function signedRecords(company: Company, sealKey: string, deviceKey: string, at: string): RecordDraft[] {
  const records: RecordDraft[] = [];
  for (let i = 0; i < USAGES; i++) {
    const tbs: UsageTbs = { v: 1, receipt: receiptId(), seal: company.seal, signer: company.member, signedAt: at, documentHash: randomBytes(32).toString("hex"), scenario: "sc_benchScenario01", request: null };
    const data = { receipt: tbs.receipt, signedAt: at, documentHash: tbs.documentHash, scenario: tbs.scenario, request: null, signature: sm2Sign(usageTbsBytes(tbs), sealKey), grant: "g_benchGrant000001" };
    records.push({ type: "seal.used", at, company: company.id, subject: company.seal, actor: company.member, data });
  }
  for (let n = 1; n <= STAMPS; n++) {
    const receipt = receiptId();
    const body = { stampNo: n, authorization: "au_benchAuthoriz01", receipt, operator: { method: "pin", ref: null }, locationCommitment: null, photoHash: randomBytes(32).toString("hex") };
    const message: UnsignedDeviceMessage = { v: 1, device: company.device, n, type: "stamp", at, body };
    const data = {
      device: company.device, n, stampNo: n, authorized: true, reasons: [], authorization: body.authorization, receipt, claimedReceipt: receipt, operator: body.operator,
      photoHash: body.photoHash, inGeofence: null, locationCommitment: null, deviceAt: at, signature: sm2Sign(deviceMessageBytes(message), deviceKey),
    };
    records.push({ type: "seal.stamped", at, company: company.id, subject: "s_benchPhysical01", actor: company.device, data });
  }
  return records;
}

/** A record of another type, without a signature: requests and document links. */
function filler(company: Company, at: string, i: number): RecordDraft {
  if (i % 2 === 0) return { type: "request.created", at, company: company.id, subject: `rq_bench${i}`, actor: company.member, data: { seal: company.seal, scenario: "sc_benchScenario01", documentHash: randomBytes(32).toString("hex") } };
  const receipt = receiptId();
  return { type: "document.linked", at, company: company.id, subject: receipt, actor: company.member, data: { receipt, role: "scan", hash: randomBytes(32).toString("hex") } };
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const cores = os.availableParallelism();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bench-audit-"));
  const dev = await startDevChain(root, 0);
  const provider = new JsonRpcProvider(dev.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
  const dataDir = path.join(root, "data");
  const store = await openStore({ dataDir, schema: ALERT_SCHEMA });
  let storeOpen = true;
  try {
    const deployer = new Wallet(DEV_ANCHORER_KEY, provider);
    const me = await deployer.getAddress();
    const { address } = await deploySealAnchor(deployer, me, me);
    const client = await connectAnchorClient(dev.rpcUrl, address, DEV_ANCHORER_KEY);
    const deployment = { chainId: client.chainId, contract: client.contract.toLowerCase() };
    if (KEEP) progress(`deployment ${deployment.chainId}:${deployment.contract}`);

    progress(`signing ${int(COMPANIES * (USAGES + STAMPS))} records (${USAGES} usages and ${STAMPS} stamps a company)`);
    const companies: Company[] = [];
    const at = new Date().toISOString();
    const registrations: RecordDraft[] = [];
    for (let c = 0; c < COMPANIES; c++) {
      const sealKeys = generateSm2KeyPair();
      const deviceKeys = generateSm2KeyPair();
      const company: Company = { id: `c_benchCompany0${c}`, seal: `s_benchSeal00000${c}`, device: `d_benchDevice000${c}`, member: `m_benchMember000${c}`, signed: [] };
      company.signed = signedRecords(company, sealKeys.privateKey, deviceKeys.privateKey, at);
      registrations.push(
        { type: "company.registered", at, company: company.id, subject: company.id, actor: "operator", data: { name: `Bench ${c}`, creditCode: "91350100M000100Y43" } },
        { type: "seal.registered", at, company: company.id, subject: company.seal, actor: company.member, data: { name: "合同专用章", kind: "electronic", sealType: "contract", publicKey: sealKeys.publicKey } },
        { type: "device.registered", at, company: company.id, subject: company.device, actor: company.member, data: { serial: `SN-${c}`, model: "SP-100", publicKey: deviceKeys.publicKey } },
      );
      companies.push(company);
    }
    const signedTotal = companies.reduce((n, c) => n + c.signed.length, 0);

    progress(`filling the store with ${int(RECORDS)} records`);
    await store.transaction((tx) => tx.records.append(registrations));
    // Signed records are spread evenly through each company's log.
    const every = Math.max(1, Math.floor((RECORDS - registrations.length) / signedTotal));
    for (let done = registrations.length, i = 0; done < RECORDS; ) {
      const size = Math.min(CHUNK, RECORDS - done);
      const drafts: RecordDraft[] = [];
      for (let k = 0; k < size; k++, i++) {
        const company = companies[i % COMPANIES];
        const nth = Math.floor(i / COMPANIES);
        drafts.push(nth % every === 0 && company.signed.length > 0 ? (company.signed.pop() as RecordDraft) : filler(company, at, i));
      }
      await store.transaction((tx) => tx.records.append(drafts));
      done += size;
    }
    for (const company of companies) company.signed = [];

    progress("anchoring");
    const batcher = new Batcher(store, client, { batchMax: BATCH, batchIntervalMs: 0, confirmations: 1, pollMs: 10, leaseTtlMs: 60_000, now: () => new Date(), log: () => undefined });
    while (await batcher.pass());
    await batcher.stop();
    client.close();

    progress("the SM3 limit: buildTree over every batch's stored texts");
    const limitBefore = await sm3LimitMs(store);

    storeOpen = false;
    await store.close();

    // Each process as a user runs it; the export's rate counts from the moment its file appears (after the CLI's start-up).
    progress("sealproof audit --help: the CLI's start-up alone");
    const startUp = await sealproof(["audit", "verify", "--help"]);
    const bundle = path.join(root, "whole-log.jsonl");
    progress("sealproof audit export --all");
    const exported = await sealproof(["audit", "export", "--all", "--data-dir", dataDir, "--out", bundle], bundle);
    const verifyArgs = ["audit", "verify", bundle, "--deployment", `${deployment.chainId}:${deployment.contract}`, "--rpc", dev.rpcUrl, "--json"];
    progress("sealproof audit verify --no-signatures");
    const roots = verified(await sealproof([...verifyArgs, "--no-signatures"]));
    // The limit again right after, and their mean, as the raw SM2 rate below: the machine's speed drifts by a third
    // from minute to minute, and the first measurement ran minutes before (the export came between).
    progress("the SM3 limit again");
    const reopened = await openStore({ dataDir, schema: ALERT_SCHEMA });
    const limitAfter = await sm3LimitMs(reopened).finally(() => reopened.close());
    const limitMs = (limitBefore + limitAfter) / 2;
    progress(`sealproof audit verify (signatures on ${cores} threads)`);
    const full = verified(await sealproof(verifyArgs));
    progress(`signatures alone on ${cores} pool threads, chunks of ${AUDIT_SM2_CHUNK} as audit verify hands them`);
    // The raw rate is taken just before and just after the pool's run, and averaged: the machine's load drifts.
    const rawJobs = await usagesOfOneSeal(bundle);
    const rawBefore = rawVerifyRate(rawJobs);
    const pool = createSm2Pool(cores, undefined, AUDIT_SM2_CHUNK);
    const sigs = await signaturesAlone(bundle, pool);
    await pool.close();
    const rawAfter = rawVerifyRate(rawJobs);
    const raw = (rawBefore + rawAfter) / 2;

    const verifyRss = Math.max(roots.run.peakMB, full.run.peakMB);
    const results = {
      bench: "audit",
      records: roots.report.receipts,
      exportPerSec: Math.round(roots.report.receipts / exported.seconds),
      rootsMs: Math.round(roots.report.seconds * 1000),
      limitRatio: Number((roots.report.seconds * 1000 / limitMs).toFixed(2)),
      sigsPerSec: Math.round(sigs.count / sigs.seconds),
      rawVerifyPerSec: Math.round(raw),
      cores,
      sigRatio: 0,
      rssMB: Math.max(exported.peakMB, verifyRss),
      exportRssMB: exported.peakMB,
      verifyRssMB: verifyRss,
    };
    results.sigRatio = Number((results.sigsPerSec / (results.rawVerifyPerSec * cores)).toFixed(2));
    const inVerify = (full.report.signatures ?? 0) / Math.max(0.001, full.report.seconds - roots.report.seconds);
    const signatures = full.report.signatures ?? 0;
    const rows: string[][] = [
      ["export: sealproof audit export --all, to a file", int(roots.report.receipts), `${int(results.exportPerSec)} records/s`, "-", `${exported.peakMB} MB`, "-", "-"],
      ["verify --no-signatures (receipts, chains)", int(roots.report.receipts), `${int(results.rootsMs)} ms`, `SM3 limit ${int(limitMs)} ms (${int(limitBefore)} before, ${int(limitAfter)} after; leaves + nodes, buildTree)`, `${roots.run.peakMB} MB`, `<= ${GOALS.limitRatio}x: ${results.limitRatio}x`, results.limitRatio <= GOALS.limitRatio ? "yes" : "NO"],
      ["verify (everything)", int(full.report.receipts), `${int(full.report.seconds * 1000)} ms`, `${int(signatures)} signatures, ${int(inVerify)}/s over --no-signatures`, `${full.run.peakMB} MB`, "-", "-"],
      [`signatures alone on ${cores} pool threads`, int(sigs.count), `${int(results.sigsPerSec)} verifies/s`, `raw ${int(results.rawVerifyPerSec)}/s (${int(rawBefore)} before, ${int(rawAfter)} after) x ${cores} cores`, "-", `>= ${GOALS.sigRatio}x: ${results.sigRatio}x`, results.sigRatio >= GOALS.sigRatio ? "yes" : "NO"],
      ["peak RSS of the export process", "-", `${results.exportRssMB} MB`, `CLI start-up alone ${startUp.peakMB} MB`, "-", `<= ${GOALS.rssMB} MB`, results.exportRssMB <= GOALS.rssMB ? "yes" : "NO"],
      ["peak RSS of the verify process (larger run)", "-", `${results.verifyRssMB} MB`, `CLI start-up alone ${startUp.peakMB} MB`, "-", `<= ${GOALS.rssMB} MB`, results.verifyRssMB <= GOALS.rssMB ? "yes" : "NO"],
    ];
    const header = ["measure", "records", "result", "peer", "peak RSS", "goal", "met"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const format = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
    console.log(`audit: SQLite under ${os.tmpdir()}, anvil on loopback; ${cores} cores, load average ${loadAtStart} at the start, ${loadAverage()} at the end`);
    console.log(`records: ${int(RECORDS)} in ${COMPANIES} companies interleaved in every batch of ${BATCH}; ${int(signedTotal)} of them signed (${USAGES} usages and ${STAMPS} stamps a company, each a distinct SM2 signature), the rest requests and document links`);
    console.log("export and verify: the sealproof CLI (bin/sealproof.js) in processes of their own, as a user runs them; peak RSS is each process's getrusage maxrss (threads included); filling and anchoring the store ran before, in the bench's process");
    console.log(format(header));
    console.log(widths.map((w) => "-".repeat(w)).join("  "));
    for (const row of rows) console.log(format(row));
    console.log(JSON.stringify(results));
  } finally {
    if (storeOpen) await store.close();
    provider.destroy();
    await dev.stop();
    if (KEEP) progress(`kept ${root}: whole-log.jsonl and the chain's state under chain/ (startDevChain(${JSON.stringify(root)}) serves it again)`);
    else fs.rmSync(root, { recursive: true, force: true });
  }
}

interface CliRun {
  stdout: string;
  /** From the moment `watch` appeared (the start when none is watched) to the exit. */
  seconds: number;
  peakMB: number;
}

/** Runs `sealproof ARGS` as bin/sealproof.js runs it, with peak-rss.js preloaded; its stderr passes through. */
async function sealproof(args: string[], watch?: string): Promise<CliRun> {
  const child = spawn(process.execPath, ["--require", PEAK_RSS, CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let started = performance.now();
  const watcher = watch === undefined ? null : setInterval(() => {
    if (!fs.existsSync(watch)) return;
    started = performance.now();
    clearInterval(watcher as NodeJS.Timeout);
  }, 10);
  let stdout = "";
  let peakKb: number | null = null;
  child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
  const lines = readline.createInterface({ input: child.stderr, crlfDelay: Infinity });
  lines.on("line", (line) => {
    const peak = /^peak-rss-kb (\d+)$/.exec(line);
    if (peak !== null) peakKb = Number(peak[1]);
    else if (line !== "") process.stderr.write(`  ${line}\n`);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (watcher !== null) clearInterval(watcher);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`sealproof ${args.join(" ")} exited ${code}: ${stdout.slice(0, 2000)}`);
  if (peakKb === null) throw new Error(`sealproof ${args.join(" ")} did not report its peak RSS`);
  return { stdout, seconds, peakMB: Math.round(peakKb / 1024) };
}

/** An audit verify --json run that verified. */
function verified(run: CliRun): { run: CliRun; report: AuditVerifyReport } {
  const report = JSON.parse(run.stdout) as AuditVerifyReport;
  if (report.verdict !== "verified") throw new Error(`audit verify: ${report.verdict}: ${JSON.stringify(report.findings.slice(0, 3))}`);
  return { run, report };
}

/** The bundle's signatures through SignatureChecks on the pool, nothing else: registrations parsed, not verified. */
async function signaturesAlone(file: string, pool: ReturnType<typeof createSm2Pool>): Promise<{ count: number; seconds: number }> {
  const registrations: Registrations = new Map();
  const signed = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    const registration = line.startsWith('{"registration"');
    if (!registration && !line.includes('"type":"seal.used"') && !line.includes('"type":"seal.stamped"')) continue;
    const parsed = parseReceipt(registration ? (JSON.parse(line) as { registration: unknown }).registration : JSON.parse(line));
    if (!parsed.ok) throw new Error(parsed.reason);
    const record = parsed.bundle.record;
    if (registration) registrations.set(registrationKey(record.type, record.company, record.subject), { record });
    else signed.push(record);
  }
  const checks = new SignatureChecks(pool, registrations);
  const start = performance.now();
  for (const record of signed) await checks.submit(record, (outcome) => {
    if (!outcome.ok) throw new Error(outcome.message);
  });
  await checks.drain();
  return { count: checks.checked, seconds: (performance.now() - start) / 1000 };
}

interface RawJobs {
  key: string;
  jobs: { message: Uint8Array; signature: string }[];
}

/** The first usages of one seal in the bundle, with its registered key. */
async function usagesOfOneSeal(file: string): Promise<RawJobs> {
  const jobs: RawJobs["jobs"] = [];
  let seal: string | null = null;
  let key: string | null = null;
  for await (const line of readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity })) {
    if (line.startsWith('{"registration"') && line.includes('"type":"seal.registered"')) {
      const { record } = (JSON.parse(line) as { registration: { record: { subject: string; data: { publicKey: string } } } }).registration;
      if (record.subject === seal) key = record.data.publicKey;
    }
    if (!line.includes('"type":"seal.used"') || jobs.length >= RAW_VERIFIES) continue;
    const { record } = JSON.parse(line) as { record: { subject: string; actor: string; data: Record<string, string | null> } };
    seal ??= record.subject;
    if (record.subject !== seal) continue;
    const d = record.data;
    const tbs: UsageTbs = { v: 1, receipt: d.receipt as string, seal: record.subject, signer: record.actor, signedAt: d.signedAt as string, documentHash: d.documentHash as string, scenario: d.scenario as string, request: null };
    jobs.push({ message: usageTbsBytes(tbs), signature: d.signature as string });
  }
  if (key === null) throw new Error(`no registration of seal ${seal} in the bundle`);
  return { key, jobs };
}

/** sm2Verify on this thread, one after another: the raw single-thread rate. */
function rawVerifyRate({ key, jobs }: RawJobs): number {
  const start = performance.now();
  for (const job of jobs) if (!sm2Verify(job.message, job.signature, key)) throw new Error("a usage signature did not verify");
  return jobs.length / ((performance.now() - start) / 1000);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

/** ms to build every batch's tree (leaves and nodes) from the stored record texts, as the verifier must at least. */
async function sm3LimitMs(store: Store): Promise<number> {
  let ms = 0;
  const last = await store.batches.last();
  for (let id = 0; last !== null && id <= last.id; id++) {
    const batch = await store.batches.get(id);
    if (batch === null) throw new Error(`no batch ${id}`);
    const leaves = (await store.batches.recordTexts(batch.firstSeq, batch.count)).map(utf8);
    const start = performance.now();
    buildTree(sm3, leaves);
    ms += performance.now() - start;
  }
  return ms;
}
