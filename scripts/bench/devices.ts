// Benchmark: smart-seal devices over MQTT against the real service (the dist bundle with the start script's node flags,
// SQLite, its embedded broker), each device a simulated seal (service/cli/device-simulator.ts) on its own MQTT client.
// In one run: signed stamps recorded per second with BENCH_DEVICES devices stamping at once under authorizations issued
// through request, approval and dual custody, next to raw single-thread SM2 verifies of the same message bytes on the
// service's backend (measured just before and after the load); the latency of a lock while that load runs, from an
// administrator's POST /devices/:id/lock, and from an unauthorized stamp's publish, until the device has obeyed the
// signed lock command; and the service's RSS per idle connected device (BENCH_IDLE devices that said hello).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sm2Backend, sm2Verify } from "../../service/evidence";
import * as jsSm2 from "../../service/evidence/sm2.browser";
import { deviceMessageBytes, type DeviceMessage } from "../../service/evidence/device-message";
import { buildService, startScriptNodeFlags } from "../build-service";
import { mqttLink, type DeviceLink } from "../../service/cli/device-link";
import { freshState, SimulatedSeal, type Misbehaviour } from "../../service/cli/device-simulator";
import { jsonClient, type Call } from "../../test/helpers/service";
import { createCompany, enrolDevice, ok, type TestCompany, type TestDevice } from "../../test/helpers/company";
import { unlockedDevice } from "../../test/devices/helpers";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../../test/helpers/service-process";

const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
/** Stamps each device makes: its authorization's copies; the first is a warm-up, left out of the figures. */
const STAMPS = Number(process.env.BENCH_STAMPS ?? 50);
/** Locks measured each way (administrator, unauthorized stamp), one device each, spread over the stamp load. */
const LOCKS = Number(process.env.BENCH_LOCKS ?? 100);
const IDLE = Number(process.env.BENCH_IDLE ?? 2000);
/** Extra node flags for the service, e.g. BENCH_NODE_ARGS=--cpu-prof; BENCH_SERVICE_OUTPUT=1 prints what it logged. */
const EXTRA_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
/** How many set-up calls (enrolments, unlock flows, connections) run at once. */
const SETUP_WIDTH = 16;
const RAW_VERIFICATIONS = 3000;
/** Verifications before the timed ones: sm-crypto-v2's arithmetic is still being compiled at first. */
const RAW_WARMUP = 300;
/** Readings of the service's RSS averaged at each step of the memory measure, this far apart. */
const RSS_SAMPLES = 10;
const RSS_SAMPLE_MS = 200;

const GOALS = { ratio: 0.6, lockP99Ms: 100, kbPerDevice: 64 };
const QUIET: Misbehaviour = { stamps: 0, unauthorized: false, tamper: false, replay: false, skipStamp: false, offlineForSec: 0, outsideGeofence: false };
const UNAUTHORIZED: Misbehaviour = { ...QUIET, unauthorized: true };

/** A simulated seal on its own MQTT connection. */
interface Seal {
  device: TestDevice;
  sim: SimulatedSeal;
  link: DeviceLink;
}

async function main(): Promise<void> {
  await buildService();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bench-devices-"));
  const ports = { http: await freePort(), chain: await freePort() };
  const svc = await startServiceProcess(dataDir, ports, { MQTT_PORT: String(await freePort()), DEV_CHAIN_PORT: "0", BATCH_INTERVAL_MS: "1000", VERIFY_WORKERS: process.env.VERIFY_WORKERS ?? "1" }, [...startScriptNodeFlags(), ...EXTRA_NODE_ARGS]);
  const seals: Seal[] = [];
  try {
    const { call } = jsonClient(svc.url);
    const co = await createCompany({ call }, PROCESS_OPERATOR_TOKEN);
    const published = await ok(call("GET", "/.well-known/sealproof.json"));
    const context = { call, co, mqttUrl: published.mqttUrl as string, commandPublicKey: published.commandPublicKey as string };

    progress(`memory: enrolling ${IDLE} idle devices…`);
    const idle = await inBatches(IDLE, SETUP_WIDTH, () => enrolDevice({ call }, co.admin));
    await pause(2_000);
    // Connected a quarter at a time, RSS averaged over a few seconds after each: no GC can be forced in the service, so
    // what garbage the hellos left and V8 has not collected yet counts too. The figure is the slope of the line
    // through the five points (least squares), which one late or early collection moves far less than it moves the
    // difference of the first and last.
    const connected = [0];
    const rss = [await meanRss(svc)];
    const quarter = Math.ceil(IDLE / 4);
    for (let from = 0; from < IDLE; from += quarter) {
      progress(`memory: connecting idle devices ${from + 1} to ${Math.min(IDLE, from + quarter)} (service RSS ${mb(rss[rss.length - 1])} MB)…`);
      seals.push(...(await inBatches(Math.min(quarter, IDLE - from), SETUP_WIDTH, async (i) => hello(context, idle[from + i]))));
      connected.push(Math.min(IDLE, from + quarter));
      rss.push(await meanRss(svc));
    }
    const kbPerDevice = slope(connected, rss) / 1024;

    progress(`stamps: ${DEVICES} devices, each unlocked through request, approval and dual custody for ${STAMPS} copies…`);
    const stampers = await inBatches(DEVICES, SETUP_WIDTH, async () => {
      const unlocked = await unlockedDevice({ call }, co, { copies: STAMPS });
      const seal = await hello(context, unlocked);
      await untilObeyed(seal);
      return seal;
    });
    seals.push(...stampers);
    progress(`locks: ${2 * LOCKS} more devices to lock…`);
    const adminTargets = await inBatches(LOCKS, SETUP_WIDTH, async () => hello(context, await enrolDevice({ call }, co.admin)));
    const misuseTargets = await inBatches(LOCKS, SETUP_WIDTH, async () => hello(context, await enrolDevice({ call }, co.admin)));
    seals.push(...adminTargets, ...misuseTargets);
    // Signed before the clock starts: in the field each device signs its own, on its own chip.
    const stamps = stampers.map((s) => Array.from({ length: STAMPS }, () => s.sim.stamp(QUIET, false)!));
    const misuse = misuseTargets.map((s) => s.sim.stamp(UNAUTHORIZED, false)!);

    const rawBefore = rawVerifyPerSec(stamps[0][0], stampers[0].device.keys.publicKey);
    await Promise.all(stampers.map((s, i) => sendAccepted(s, stamps[i][0])));
    progress(`stamps: ${DEVICES * (STAMPS - 1)} measured, while ${LOCKS} administrator locks and ${LOCKS} unauthorized stamps lock other devices…`);
    let loadRunning = true;
    const cpuBefore = cpuMs(svc);
    const start = performance.now();
    const load = Promise.all(stampers.map(async (s, i) => {
      for (const stamp of stamps[i].slice(1)) await sendAccepted(s, stamp);
    })).finally(() => (loadRunning = false));
    const locks = measureLocks(context, adminTargets, misuseTargets, misuse, () => loadRunning);
    await load;
    const seconds = (performance.now() - start) / 1000;
    const cpuAfter = cpuMs(svc);
    const { adminMs, misuseMs } = await locks;
    const rawAfter = rawVerifyPerSec(stamps[0][0], stampers[0].device.keys.publicKey);
    // For reference: the same bytes on sm-crypto-v2, the backend where the addon does not load.
    const rawJs = sm2Backend === "js" ? (rawBefore + rawAfter) / 2 : rawVerifyPerSec(stamps[0][0], stampers[0].device.keys.publicKey, jsSm2.sm2Verify);

    const stampsPerSec = (DEVICES * (STAMPS - 1)) / seconds;
    const rawVerify = (rawBefore + rawAfter) / 2;
    await checkEveryStampRecorded(context, stampers);
    const result = {
      bench: "devices",
      devices: DEVICES,
      stampsPerSec: round(stampsPerSec),
      rawVerifyPerSec: round(rawVerify),
      ratio: round(stampsPerSec / rawVerify, 3),
      jsRawVerifyPerSec: round(rawJs),
      lockP50Ms: round(percentile(adminMs, 0.5)),
      lockP99Ms: round(percentile(adminMs, 0.99)),
      misuseLockP50Ms: round(percentile(misuseMs, 0.5)),
      misuseLockP99Ms: round(percentile(misuseMs, 0.99)),
      lockSamples: adminMs.length,
      misuseLockSamples: misuseMs.length,
      idleDevices: IDLE,
      kbPerDevice: round(kbPerDevice),
      backend: sm2Backend,
      goals: GOALS,
      met: {
        ratio: stampsPerSec / rawVerify >= GOALS.ratio,
        lockP99Ms: percentile(adminMs, 0.99) <= GOALS.lockP99Ms,
        misuseLockP99Ms: percentile(misuseMs, 0.99) <= GOALS.lockP99Ms,
        kbPerDevice: kbPerDevice <= GOALS.kbPerDevice,
      },
    };
    const perStamp = (k: keyof CpuMs) => (cpuAfter[k] - cpuBefore[k]) / (DEVICES * (STAMPS - 1));
    printTable(result, { rawBefore, rawAfter, rawJs, seconds, rss, cpu: { eventLoop: perStamp("eventLoop"), otherThreads: perStamp("otherThreads"), client: perStamp("client") } });
    console.log(JSON.stringify(result));
  } finally {
    await Promise.allSettled(seals.map((s) => s.link.close()));
    await svc.stop();
    if (process.env.BENCH_SERVICE_OUTPUT) console.error(svc.output());
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Context {
  call: Call;
  co: TestCompany;
  mqttUrl: string;
  commandPublicKey: string;
}

/** Connects the device as a simulated seal that obeys what it is pushed, and says hello (its first heartbeat). */
async function hello(context: Context, device: TestDevice): Promise<Seal> {
  const sim = new SimulatedSeal(device.id, device.keys.privateKey, context.commandPublicKey, freshState(), () => undefined);
  const link = await mqttLink(context.mqttUrl, device.id, device.credential);
  link.onPush((down) => sim.pushed(down));
  await sendAccepted({ device, sim, link }, sim.message("hello", { firmware: "bench" }));
  return { device, sim, link };
}

/** Waits for the unlock command (pushed once the outbox delivers it), then acknowledges it. */
async function untilObeyed(seal: Seal): Promise<void> {
  for (const start = Date.now(); seal.sim.state.authorization === null; await pause(20)) {
    if (Date.now() - start > 30_000) throw new Error(`${seal.device.id} was not sent its unlock within 30 s`);
  }
  await seal.sim.flushAcks(seal.link);
}

async function sendAccepted(seal: Seal, message: DeviceMessage): Promise<void> {
  const answer = await seal.link.send([message]);
  const fate = answer.results?.[0];
  if (fate?.status !== "accepted") throw new Error(`${seal.device.id} n=${message.n} ${message.type}: ${JSON.stringify(fate)}`);
  seal.sim.pushed(answer);
}

/**
 * While the load runs, alternately locks one admin target through the API and has one misuse target publish an
 * unauthorized stamp, every so often; each sample runs until the device has obeyed a lock signed with the command key.
 */
async function measureLocks(context: Context, adminTargets: Seal[], misuseTargets: Seal[], misuse: DeviceMessage[], running: () => boolean): Promise<{ adminMs: number[]; misuseMs: number[] }> {
  const adminMs: number[] = [];
  const misuseMs: number[] = [];
  const samples: Promise<void>[] = [];
  await pause(500);
  for (let i = 0; i < adminTargets.length && running(); i++) {
    const target = adminTargets[i];
    samples.push(
      timed(target, async () => {
        const locked = await context.call("POST", `/api/v1/devices/${target.device.id}/lock`, { token: context.co.admin.token });
        if (locked.status !== 200) throw new Error(`lock: ${locked.status} ${JSON.stringify(locked.body)}`);
      }).then((ms) => void (running() && adminMs.push(ms))),
    );
    await pause(25);
    const offender = misuseTargets[i];
    samples.push(timed(offender, () => offender.link.send([misuse[i]]).then((answer) => offender.sim.pushed(answer))).then((ms) => void (running() && misuseMs.push(ms))));
    await pause(25);
  }
  await Promise.all(samples);
  return { adminMs, misuseMs };
}

/** Milliseconds from `act` until the seal has obeyed a new command (its obeyed command number rose). */
async function timed(seal: Seal, act: () => Promise<void>): Promise<number> {
  const before = seal.sim.state.commandN;
  const start = performance.now();
  await act();
  for (; seal.sim.state.commandN === before; await pause(1)) {
    if (performance.now() - start > 30_000) throw new Error(`${seal.device.id} obeyed no lock within 30 s`);
  }
  return performance.now() - start;
}

/** Every device's counter as the service has it: every stamp was taken, and none of them locked its device. */
async function checkEveryStampRecorded(context: Context, stampers: Seal[]): Promise<void> {
  await inBatches(stampers.length, SETUP_WIDTH, async (i) => {
    const view = await ok(context.call("GET", `/api/v1/devices/${stampers[i].device.id}`, { token: context.co.admin.token }));
    if (view.lastStampNo !== STAMPS || view.status !== "active") throw new Error(`${view.id}: lastStampNo ${view.lastStampNo}, ${view.status}; expected ${STAMPS}, active`);
  });
}

/** SM2 verifications per second of a stamp message's signed bytes on one thread, on the backend the service uses. */
function rawVerifyPerSec(message: DeviceMessage, publicKey: string, verify: typeof sm2Verify = sm2Verify): number {
  const bytes = deviceMessageBytes(message);
  for (let i = 0; i < RAW_WARMUP; i++) verify(bytes, message.sig, publicKey);
  const start = performance.now();
  for (let i = 0; i < RAW_VERIFICATIONS; i++) if (!verify(bytes, message.sig, publicKey)) throw new Error("raw verification failed");
  return RAW_VERIFICATIONS / ((performance.now() - start) / 1000);
}

/** The service's RSS averaged over RSS_SAMPLES readings, after a pause for the connections' work to settle. */
async function meanRss(svc: ServiceProcess): Promise<number> {
  await pause(1_000);
  let sum = 0;
  for (let i = 0; i < RSS_SAMPLES; i++, await pause(RSS_SAMPLE_MS)) sum += rssOf(svc);
  return sum / RSS_SAMPLES;
}

/** The least-squares slope of y against x. */
function slope(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  const sxy = x.reduce((s, xi, i) => s + (xi - mx) * (y[i] - my), 0);
  const sxx = x.reduce((s, xi) => s + (xi - mx) ** 2, 0);
  return sxy / sxx;
}

/** Resident set size of the service process, in bytes. */
function rssOf(svc: ServiceProcess): number {
  const status = fs.readFileSync(`/proc/${svc.child.pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error("no VmRSS in /proc/<pid>/status");
  return Number(kb[1]) * 1024;
}

async function inBatches<T>(count: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await make(i);
    }
  }));
  return out;
}

interface CpuMs {
  /** The service's main thread. */
  eventLoop: number;
  /** The service's other threads: SM2 verification on libuv's pool, the WAL sync, GC helpers. */
  otherThreads: number;
  /** This process: the devices' MQTT clients and the API calls. */
  client: number;
}

/** CPU time so far, from /proc (USER_HZ is 100 on every Linux this runs on). */
function cpuMs(svc: ServiceProcess): CpuMs {
  const ms = (file: string): number => {
    const stat = fs.readFileSync(file, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const pid = svc.child.pid!;
  const eventLoop = ms(`/proc/${pid}/task/${pid}/stat`);
  const { user, system } = process.cpuUsage();
  return { eventLoop, otherThreads: ms(`/proc/${pid}/stat`) - eventLoop, client: (user + system) / 1000 };
}

function printTable(r: { stampsPerSec: number; rawVerifyPerSec: number; ratio: number; lockP50Ms: number; lockP99Ms: number; misuseLockP50Ms: number; misuseLockP99Ms: number; kbPerDevice: number; lockSamples: number; misuseLockSamples: number }, m: { rawBefore: number; rawAfter: number; rawJs: number; seconds: number; rss: number[]; cpu: CpuMs }): void {
  console.log(`devices: ${DEVICES} seals stamping ${STAMPS - 1} times each over MQTT (embedded broker), SQLite, SM2 ${sm2Backend}, ${os.cpus().length} cores, ${IDLE} idle devices connected`);
  const rows = [
    ["measure", "value", "goal", "peer / detail"],
    ["stamps recorded/s", r.stampsPerSec.toFixed(0), "", `${DEVICES * (STAMPS - 1)} in ${m.seconds.toFixed(1)} s`],
    ["raw SM2 verify/s, 1 thread", r.rawVerifyPerSec.toFixed(0), "", `${m.rawBefore.toFixed(0)} before, ${m.rawAfter.toFixed(0)} after`],
    ["ratio", r.ratio.toFixed(3), `≥ ${GOALS.ratio}`, "stamps/s ÷ raw verify/s"],
    ...(sm2Backend === "js" ? [] : [["raw SM2 verify/s, sm-crypto-v2", m.rawJs.toFixed(0), "", `for reference, after the load: stamps/s ÷ this = ${(r.stampsPerSec / m.rawJs).toFixed(3)}`]]),
    ["CPU ms per stamp", (m.cpu.eventLoop + m.cpu.otherThreads + m.cpu.client).toFixed(3), "", `service event loop ${m.cpu.eventLoop.toFixed(3)}, its other threads ${m.cpu.otherThreads.toFixed(3)}, devices (this process) ${m.cpu.client.toFixed(3)}`],
    ["lock p50 / p99 ms (POST lock)", `${r.lockP50Ms.toFixed(1)} / ${r.lockP99Ms.toFixed(1)}`, `p99 ≤ ${GOALS.lockP99Ms}`, `${r.lockSamples} locks under load, until the device obeyed`],
    ["lock p50 / p99 ms (misuse)", `${r.misuseLockP50Ms.toFixed(1)} / ${r.misuseLockP99Ms.toFixed(1)}`, `p99 ≤ ${GOALS.lockP99Ms}`, `${r.misuseLockSamples} unauthorized stamps, publish to obeyed`],
    ["KB per idle device", r.kbPerDevice.toFixed(1), `≤ ${GOALS.kbPerDevice}`, `service RSS ${m.rss.map(mb).join(" → ")} MB (means of ${RSS_SAMPLES}), a quarter connected at a time; slope`],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (line: string) => console.error(line);
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const percentile = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
