// The outbox in the real service, a child process: SIGKILLed right after a transaction with an outbox entry commits,
// the entry is delivered after the restart; an entry is never delivered while its transaction is still open. The
// service's test-only hook (SEALPROOF_TEST_OUTBOX_TARGET) adds an entry naming the records of each append and delivers
// it to a real local HTTP server.
import fs from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient } from "../helpers/service";
import { createCompany, ok } from "../helpers/company";
import { randomCreditCode } from "../../service/domain/registry-check";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";

interface Delivery {
  id: string;
  records: Array<{ id: string; type: string; subject: string }>;
  at: number;
}

async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const entry = JSON.parse(body) as { id: string; kind: string; payload: { records: Delivery["records"] } };
      if (entry.kind === "test") deliveries.push({ id: entry.id, records: entry.payload.records, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/outbox`, deliveries, server };
}

const until = async (what: string, done: () => boolean, output: () => string, ms = 30_000): Promise<void> => {
  for (const start = Date.now(); !done(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}:\n${output()}`);
  }
};

const recordsOf = (deliveries: Delivery[]): string[] => deliveries.flatMap((d) => d.records.map((r) => r.id));

describe("jobs: the outbox in the real service", function () {
  this.timeout(180_000);
  let dataDir: string;
  let ports: { http: number; chain: number };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let running: ServiceProcess | null = null;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-outbox-crash-"));
    ports = { http: await freePort(), chain: await freePort() };
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await running?.stop();
    running = null;
    receiver.server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGKILL after the entry's transaction commits: nothing delivered before, the entry delivered after the restart", async () => {
    const env = { SEALPROOF_TEST_OUTBOX_TARGET: receiver.url, BATCH_INTERVAL_MS: "200" };
    running = await startServiceProcess(dataDir, ports, env);
    const co = await createCompany(jsonClient(running.url), PROCESS_OPERATOR_TOKEN);
    const svc = running;
    // Every record the company's set-up wrote, once the sequencer (a 200 ms interval here) has numbered them all.
    const read = async () => ((await ok(jsonClient(svc.url).call("GET", "/api/v1/records?limit=1000", { token: co.legalRep.token }))).records as unknown[]);
    let records: unknown[] = [];
    for (let stable = 0, tries = 0; stable < 3; tries++) {
      if (tries > 200) throw new Error(`the company's records were not sequenced:\n${svc.output()}`);
      const now = await read();
      stable = now.length > 0 && now.length === records.length ? stable + 1 : 0;
      records = now;
      await new Promise((r) => setTimeout(r, 250));
    }
    await until("the company's entries", () => recordsOf(receiver.deliveries).length >= records.length, () => svc.output());
    await running.stop();

    running = await startServiceProcess(dataDir, ports, { ...env, SEALPROOF_FAILPOINT: "after-outbox-commit" });
    const before = receiver.deliveries.length;
    const body = { code: "outbox-crash", name: "Outbox crash", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" };
    const answer = await jsonClient(running.url).call("POST", "/api/v1/scenarios", { token: co.admin.token, body }).then(
      () => "answered",
      () => "connection lost",
    );
    expect(answer).to.equal("connection lost");
    const crashed = running;
    await crashed.exited;
    expect(crashed.child.signalCode, crashed.output()).to.equal("SIGKILL");
    expect(receiver.deliveries.length, "delivered before the crash").to.equal(before);

    running = await startServiceProcess(dataDir, ports, env);
    const api = jsonClient(running.url);
    const scenario = ((await ok(api.call("GET", "/api/v1/scenarios", { token: co.admin.token }))).scenarios as Array<{ id: string; code: string }>).find((s) => s.code === body.code);
    expect(scenario, "the scenario committed before the crash").to.not.equal(undefined);
    const restarted = running;
    const names = (d: Delivery) => d.records.some((r) => r.type === "scenario.defined" && r.subject === scenario!.id);
    await until("the scenario's entry", () => receiver.deliveries.some(names), () => restarted.output());
    const delivered = receiver.deliveries.filter(names);
    // At least once, always as the same entry.
    expect(new Set(delivered.map((d) => d.id)).size).to.equal(1);
    // One target: deliveries in commit order, the order of the entries' ids (a repeat may follow its own first
    // delivery, nothing older after newer).
    const order = receiver.deliveries.map((d) => Number(d.id));
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
  });

  it("never delivers an entry while its transaction is open: a transaction held open 1.5 s is delivered after it commits", async () => {
    const holdMs = 1_500;
    running = await startServiceProcess(dataDir, ports, { SEALPROOF_TEST_OUTBOX_TARGET: receiver.url, SEALPROOF_TEST_OUTBOX_HOLD_MS: String(holdMs) });
    const started = Date.now();
    const created = await jsonClient(running.url).call("POST", "/api/v1/companies", {
      token: PROCESS_OPERATOR_TOKEN,
      body: { name: "Slow Co.", creditCode: randomCreditCode(), legalRep: { name: "Li Si", idNumber: "11010519491231002X" } },
    });
    const answeredAt = Date.now();
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(answeredAt - started).to.be.at.least(holdMs);
    const svc = running;
    const names = (d: Delivery) => d.records.some((r) => r.type === "company.registered" && r.subject === created.body.company.id);
    await until("the company's entry", () => receiver.deliveries.some(names), () => svc.output());
    // The deliverer polled every 250 ms meanwhile; nothing came before the hold was over and the transaction committed.
    for (const d of receiver.deliveries) expect(d.at - started).to.be.at.least(holdMs);
  });
});
