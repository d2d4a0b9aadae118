// Observability: a request id on every answer and in its log line, GET /metrics for the operator in Prometheus
// text format, and logs that never carry a secret or personal data.
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { createCompany, grantBody, LEGAL_REP_ID_NUMBER, ok, useSeal, type TestCompany } from "../helpers/company";
import { usageOutcomes } from "../../service/metrics";

describe("http: request ids, logs and metrics", () => {
  let svc: TestService;
  let co: TestCompany;
  before(async () => {
    svc = await startService({}, { batcher: () => ({ state: "active", lastAnchoredBatch: 3 }) });
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  const logLines = () => svc.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

  it("answers with an X-Request-Id, a new one or the client's, and logs the request under it", async () => {
    const fresh = await fetch(`${svc.url}/api/v1/me`, { headers: { authorization: `Bearer ${co.employee.token}` } });
    const id = fresh.headers.get("x-request-id");
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    const line = logLines().find((l) => l.reqId === id);
    expect(line).to.include({ method: "GET", route: "GET /me", status: 200, msg: "request" });

    const given = await fetch(`${svc.url}/api/v1/seals/s_nonexistent1`, { headers: { authorization: `Bearer ${co.employee.token}`, "x-request-id": "trace-42.a" } });
    expect(given.headers.get("x-request-id")).to.equal("trace-42.a");
    expect(logLines().find((l) => l.reqId === "trace-42.a")).to.include({ route: "GET /seals/:id", status: 404, code: "NOT_FOUND" });

    const unfit = await fetch(`${svc.url}/healthz`, { headers: { "x-request-id": "no spaces or\u00e9 allowed" } });
    expect(unfit.headers.get("x-request-id")).to.match(/^[0-9a-f-]{36}$/);
  });

  it("GET /metrics needs the operator token", async () => {
    expect((await svc.call("GET", "/metrics")).status).to.equal(401);
    expect((await svc.call("GET", "/metrics", { token: co.legalRep.token })).status).to.equal(401);
    const r = await fetch(`${svc.url}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
    expect(r.status).to.equal(200);
    expect(r.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it("has requests by route and status, usages by outcome and code, records waiting, the batcher, anchoring and alerts", async () => {
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const accepted = usageOutcomes.value({ outcome: "accepted", code: "" });
    const refused = usageOutcomes.value({ outcome: "refused", code: "GRANT_MISSING" });
    expect((await useSeal(svc, co.employee, co.seal, co.scenarios.none)).status).to.equal(201);
    expect((await useSeal(svc, co.employee, co.seal, co.scenarios.legalRep)).body.error.code).to.equal("GRANT_MISSING");
    expect(usageOutcomes.value({ outcome: "accepted", code: "" })).to.equal(accepted + 1);
    expect(usageOutcomes.value({ outcome: "refused", code: "GRANT_MISSING" })).to.equal(refused + 1);

    const text = (await svc.call<string>("GET", "/metrics", { token: OPERATOR_TOKEN })).body;
    for (const series of ["sealproof_http_requests_total", "sealproof_usages_total", "sealproof_records_waiting", "sealproof_batches_unanchored", "sealproof_batcher_state", "sealproof_last_anchored_batch", "sealproof_anchor_seconds", "sealproof_anchor_failures_total", "sealproof_alerts_raised_total"]) {
      expect(text, series).to.contain(`# TYPE ${series} `);
    }
    expect(text).to.match(/^sealproof_http_requests_total\{route="POST \/usages",status="201"\} [1-9]\d*$/m);
    expect(text).to.match(/^sealproof_usages_total\{outcome="refused",code="GRANT_MISSING"\} [1-9]\d*$/m);
    expect(text).to.contain('sealproof_batcher_state{state="active"} 1');
    expect(text).to.contain("sealproof_last_anchored_batch 3");
    // Nothing is batched in this service: every record it wrote is waiting.
    const waiting = Number(/^sealproof_records_waiting (\d+)$/m.exec(text)?.[1]);
    expect(waiting).to.equal((await svc.store.records.waiting()).count);
  });

  it("never logs a secret or personal data: API keys, the operator token, names, ID numbers", async () => {
    const key = await ok(svc.call("POST", `/api/v1/members/${co.employee.id}/keys`, { token: co.employee.token }));
    const added = await ok(svc.call("POST", "/api/v1/members", { token: co.legalRep.token, body: { name: "Li Si the Unloggable", roles: ["employee"], department: "sales" } }));
    await svc.call("GET", "/api/v1/me", { token: `${key.secret}x` });
    await svc.call("GET", "/metrics", { token: OPERATOR_TOKEN });
    await svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body: { name: "Bad", creditCode: "bad", legalRep: { name: "Wang Wu", idNumber: LEGAL_REP_ID_NUMBER } } });
    const logs = svc.logs.join("\n");
    expect(svc.logs.length).to.be.greaterThan(10);
    for (const secret of [key.secret, added.apiKey.secret, co.legalRep.token, co.employee.token, OPERATOR_TOKEN, "Bearer", LEGAL_REP_ID_NUMBER, "Li Si", "Zhang San", "Wang Wu"]) {
      expect(logs, secret).to.not.contain(secret);
    }
  });
});
