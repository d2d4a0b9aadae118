// Idempotency across a crash: the real service, SIGKILLed right after a keyed write is durable and before its response
// is stored, is restarted; the retry with the same Idempotency-Key writes nothing and says what the first request did.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jsonClient } from "../helpers/service";
import { createCompany, ok } from "../helpers/company";
import { freePort, PROCESS_OPERATOR_TOKEN, startServiceProcess, type ServiceProcess } from "../helpers/service-process";

describe("http: an Idempotency-Key survives a crash between the write and its stored response", function () {
  this.timeout(180_000);
  let dataDir: string;
  let running: ServiceProcess | null = null;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-idem-crash-"));
  });
  after(async () => {
    await running?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("SIGKILL after the write: the retry writes nothing and answers 409 naming the scenario and record created", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    running = await startServiceProcess(dataDir, ports, { SEALPROOF_FAILPOINT: "after-idempotent-write" });
    const co = await createCompany(jsonClient(running.url), PROCESS_OPERATOR_TOKEN);
    const body = { code: "crash-contract", name: "Contracts", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "none" };
    const headers = { "idempotency-key": "scenario-crash-1" };
    const first = await jsonClient(running.url).call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers }).then(
      () => "answered",
      () => "connection lost",
    );
    expect(first).to.equal("connection lost");
    const crashed = running;
    await crashed.exited;
    expect(crashed.child.signalCode, crashed.output()).to.equal("SIGKILL");

    running = await startServiceProcess(dataDir, ports);
    const api = jsonClient(running.url);
    // Within RESPONSE_GRACE_MS of the write, the node that made it might still store its response (it could be another
    // node, alive): the retry is told to retry. After that, that the response was lost.
    let retry = await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers });
    for (let i = 0; i < 60 && retry.body.error?.code === "IDEMPOTENCY_IN_PROGRESS"; i++) {
      await new Promise((r) => setTimeout(r, 500));
      retry = await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers });
    }
    const listed = async () => ((await ok(api.call("GET", "/api/v1/scenarios", { token: co.admin.token }))).scenarios as Array<{ id: string; code: string }>).filter((s) => s.code === body.code);
    const scenarios = await listed();
    expect(scenarios.length, "the scenario was written once").to.equal(1);
    expect([retry.status, retry.body.error.code]).to.deep.equal([409, "IDEMPOTENCY_RESPONSE_LOST"]);
    const created = retry.body.error.details.created as Array<{ kind?: string; id?: string; record?: string; type?: string; subject?: string }>;
    expect(created[0]).to.deep.equal({ kind: "scenarios", id: scenarios[0].id });
    expect(created[1]).to.include({ type: "scenario.defined", subject: scenarios[0].id });
    expect(retry.body.error.message).to.include(scenarios[0].id);
    // The record it names is the one written, read by its id whether or not the sequencer has numbered it yet.
    const named = await ok(api.call("GET", `/api/v1/records/by-id/${created[1].record}`, { token: co.legalRep.token }));
    expect(named.record).to.deep.include({ type: "scenario.defined", subject: scenarios[0].id });

    // Asked again, it still writes nothing; the same key with another body is refused as before.
    expect((await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body, headers })).status).to.equal(409);
    const other = await api.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: { ...body, code: "other" }, headers });
    expect([other.status, other.body.error.code]).to.deep.equal([422, "IDEMPOTENCY_KEY_REUSED"]);
    expect(await listed()).to.deep.equal(scenarios);
  });
});
