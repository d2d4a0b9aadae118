// Benchmark: electronic usages per second over HTTP on loopback against a real service process on SQLite,
// compared with the raw in-process SM2 verification rate measured in the same run. The service runs once
// with signatures checked on the event loop (VERIFY_WORKERS=0) and once on a worker thread (VERIFY_WORKERS=1).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { generateSm2KeyPair, sm2Sign, sm2Verify, sm3, toHex, usageTbsBytes, type UsageTbs } from "../../service/evidence";
import { freePort } from "../../service/free-port";
import { randomCreditCode } from "../../service/domain/registry-check";

const N = Number(process.env.BENCH_N ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RAW_VERIFICATIONS = 2000;
const OPERATOR_TOKEN = "op_bench_token";
const ROOT = path.resolve(__dirname, "..", "..");

interface RunResult {
  workers: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
}

async function main(): Promise<void> {
  const rawVerifyPerSec = measureRawVerify();
  console.error(`raw SM2 verification: ${rawVerifyPerSec.toFixed(0)}/s`);
  const runs: RunResult[] = [];
  for (const workers of [0, 1, 2]) runs.push(await runAgainstService(workers));
  printTable(rawVerifyPerSec, runs);
  const best = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const summary = { bench: "ingest", rps: round(best.rps), rawVerifyPerSec: round(rawVerifyPerSec), ratio: round(best.rps / rawVerifyPerSec, 3), p50Ms: round(best.p50Ms), p99Ms: round(best.p99Ms), workers: best.workers, n: N, concurrency: CONCURRENCY };
  console.log(JSON.stringify(summary));
}

/** SM2 verifications per second on one thread, same key (precomputed, as the service caches it). */
function measureRawVerify(): number {
  const keys = generateSm2KeyPair();
  const messages = Array.from({ length: RAW_VERIFICATIONS }, (_, i) => usageTbsBytes(sampleTbs(`R${i}`, "s_bench0001", "m_bench0001")));
  const signatures = messages.map((m) => sm2Sign(m, keys.privateKey));
  sm2Verify(messages[0], signatures[0], keys.publicKey);
  const start = performance.now();
  for (let i = 0; i < messages.length; i++) if (!sm2Verify(messages[i], signatures[i], keys.publicKey)) throw new Error("raw verification failed");
  return messages.length / ((performance.now() - start) / 1000);
}

async function runAgainstService(workers: number): Promise<RunResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bench-"));
  const port = await freePort();
  const service = startService(dataDir, port, workers);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, service);
    const { token, member, seal, scenario, privateKey } = await setUp(base);
    console.error(`workers=${workers}: reserving and signing ${N} usages…`);
    const bodies = await presign(base, token, member, seal, scenario, privateKey);
    console.error(`workers=${workers}: submitting ${N} usages over ${CONCURRENCY} connections…`);
    const latencies: number[] = [];
    // Node's http with keep-alive rather than fetch: the client shares the two cores with the service, and
    // fetch costs it about twice the CPU per request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const t0 = performance.now();
          const status = await post(agent, `${base}/api/v1/usages`, token, body);
          if (status !== 201) throw new Error(`usage refused: ${status}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    return { workers, rps: bodies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), ok: latencies.length };
  } finally {
    service.kill("SIGTERM");
    await new Promise((resolve) => service.once("exit", resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function post(agent: http.Agent, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function startService(dataDir: string, port: number, workers: number): ChildProcess {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", DEV_CHAIN_PORT: "0", OPERATOR_TOKEN, VERIFY_WORKERS: String(workers) };
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "service/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  return child;
}

async function setUp(base: string) {
  const call = async (token: string, route: string, body: unknown) => {
    const res = await fetch(`${base}${route}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const created = await call(OPERATOR_TOKEN, "/api/v1/companies", { name: "Bench Co.", creditCode: randomCreditCode(), legalRep: { name: "Bench", idNumber: "11010519491231002X" } });
  const token = created.apiKey.secret as string;
  const member = created.legalRep.id as string;
  const keys = generateSm2KeyPair();
  const seal = (await call(token, "/api/v1/seals", { kind: "electronic", type: "contract", name: "合同专用章", publicKey: keys.publicKey })).id as string;
  const scenario = (await call(token, "/api/v1/scenarios", { code: "bench", name: "bench", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" })).id as string;
  const now = Date.now();
  await call(token, "/api/v1/grants", { member, seal, scenarios: [scenario], validFrom: new Date(now - 60_000).toISOString(), validTo: new Date(now + 86_400_000).toISOString() });
  return { token, member, seal, scenario, privateKey: keys.privateKey };
}

async function presign(base: string, token: string, member: string, seal: string, scenario: string, privateKey: string): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < N; i++) {
    const res = await fetch(`${base}/api/v1/usages/reservations`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ seal }) });
    const { receipt } = (await res.json()) as { receipt: string };
    const tbs = { ...sampleTbs(receipt, seal, member), scenario };
    bodies.push(JSON.stringify({ tbs, signature: sm2Sign(usageTbsBytes(tbs), privateKey) }));
  }
  return bodies;
}

function sampleTbs(receipt: string, seal: string, signer: string): UsageTbs {
  return { v: 1, receipt, seal, signer, signedAt: new Date().toISOString(), documentHash: toHex(sm3(Buffer.from(receipt))), scenario: "sc_bench0001", request: null };
}

function printTable(raw: number, runs: RunResult[]): void {
  const rows = [["mode", "usages/s", "ratio to raw", "p50 ms", "p99 ms", "acknowledged"], ["raw SM2 verify (1 thread)", raw.toFixed(0), "1.000", "-", "-", "-"]];
  for (const r of runs) rows.push([r.workers === 0 ? "HTTP, verify on event loop" : `HTTP, verify on ${r.workers} worker`, r.rps.toFixed(0), (r.rps / raw).toFixed(3), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), String(r.ok)]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  console.log(`ingest: ${N} signed usages, ${CONCURRENCY} concurrent connections, SQLite (WAL, fdatasync before every acknowledgement), ${os.cpus().length} cores`);
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}

async function waitForHealth(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error("the service exited during start-up");
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the service did not become healthy within 20 s");
}



const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
