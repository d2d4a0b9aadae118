// Anomaly rules through the real service: for each rule, events that trigger it and events that do not, read back
// from GET /audit/findings with the records each finding cites. The service's clock is moved for working hours,
// windows and dormancy; what the API refuses to write (a grant outliving its holder, one member in both custody
// roles) is appended straight into the store, as a bug or someone with the database would.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { addPerson, createCompany, grantBody, ok, requestUse, useSeal, type Person, type TestCompany } from "../helpers/company";
import { recordsOf, stampMessage, unlockedDevice } from "../devices/helpers";

const PERIOD = "from=2026-01-01T00:00:00.000Z&to=2028-01-01T00:00:00.000Z";
const LONG_GRANT = { validFrom: "2026-01-01T00:00:00.000Z", validTo: "2027-12-31T00:00:00.000Z" };
const DAY_MS = 86_400_000;

interface FindingView {
  rule: string;
  severity: string;
  key: string;
  subject: string;
  records: Array<{ id: string; type: string; receipt: string | null }>;
}

describe("audit: anomaly rules", function () {
  this.timeout(180_000);
  let svc: TestService;
  let clock: number | null = null;

  before(async () => {
    svc = await startService({ now: () => (clock === null ? new Date() : new Date(clock)) });
  });
  afterEach(() => {
    clock = null;
  });
  after(() => svc.stop());

  const findings = async (co: TestCompany, rule: string, period = PERIOD): Promise<FindingView[]> =>
    (await ok(svc.call("GET", `/api/v1/audit/findings?${period}`, { token: co.auditor.token }))).findings.filter((f: FindingView) => f.rule === rule);
  const grant = (co: TestCompany, who: Person, seal: string) =>
    ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(who.id, seal, [co.scenarios.none, co.scenarios.deptHead], LONG_GRANT) }));
  const settings = (co: TestCompany, body: object) => ok(svc.call("POST", "/api/v1/audit/settings", { token: co.legalRep.token, body }));
  const idsOf = async (co: TestCompany, type: string) => (await svc.store.records.page({ company: co.id, type }, { limit: 100 })).items.map((i) => i.id);
  const sender = (device: { credential: string }) => (messages: unknown[]) => svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages } });

  it("unauthorized-stamp: a stamp without authorization is a critical finding citing it, alerted once; authorized stamps are not", async () => {
    const co = await createCompany(svc);
    const device = await unlockedDevice(svc, co, { copies: 1 });
    await ok(sender(device)([stampMessage(device, 0, 1, { authorization: device.authorization, receipt: device.receipts[0] })]));
    expect(await findings(co, "unauthorized-stamp")).to.deep.equal([]);

    await sender(device)([stampMessage(device, 1, 2)]);
    const [unauthorized] = await idsOf(co, "seal.stamped").then((ids) => ids.slice(1));
    const found = await findings(co, "unauthorized-stamp");
    expect(found.map((f) => [f.severity, f.subject, f.records.map((r) => r.id)])).to.deep.equal([["critical", device.seal, [unauthorized]]]);
    await findings(co, "unauthorized-stamp");
    const alerts = (await recordsOf(svc, co.id, "alert.raised")).filter((r) => r.data.code === "AUDIT_UNAUTHORIZED_STAMP");
    expect(alerts.map((a) => a.data.finding)).to.deep.equal([found[0].key]);
  });

  it("stamp-gap: a counter skipping numbers cites the stamps either side; a counter rising by one does not", async () => {
    const co = await createCompany(svc);
    const steady = await unlockedDevice(svc, co, { copies: 2 });
    await ok(sender(steady)([stampMessage(steady, 0, 10, { authorization: steady.authorization, receipt: steady.receipts[0] }), stampMessage(steady, 1, 11, { authorization: steady.authorization, receipt: steady.receipts[1] })]));
    expect(await findings(co, "stamp-gap")).to.deep.equal([]);

    const skipping = await unlockedDevice(svc, co, { copies: 2 });
    await ok(sender(skipping)([stampMessage(skipping, 0, 10, { authorization: skipping.authorization, receipt: skipping.receipts[0] })]));
    await ok(sender(skipping)([stampMessage(skipping, 1, 13, { authorization: skipping.authorization, receipt: skipping.receipts[1] })]));
    const found = await findings(co, "stamp-gap");
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ severity: "critical", subject: skipping.seal });
    expect(found[0].records.map((r) => r.receipt)).to.deep.equal([skipping.receipts[0], skipping.receipts[1]]);
  });

  it("geofence-exit: a stamp outside the geofence is its own critical finding, not an unauthorized-stamp one; inside is none", async () => {
    const co = await createCompany(svc);
    const geofence = { lat: 31.2304, lng: 121.4737, radiusM: 500 };
    const inside = await unlockedDevice(svc, co, { copies: 1, geofence });
    await ok(sender(inside)([stampMessage(inside, 0, 1, { authorization: inside.authorization, receipt: inside.receipts[0] })]));
    expect(await findings(co, "geofence-exit")).to.deep.equal([]);

    const outside = await unlockedDevice(svc, co, { copies: 1, geofence });
    await sender(outside)([stampMessage(outside, 0, 1, { authorization: outside.authorization, receipt: outside.receipts[0], location: { lat: 39.9042, lng: 116.4074, accuracyM: 10 } })]);
    const found = await findings(co, "geofence-exit");
    expect(found.map((f) => [f.severity, f.subject])).to.deep.equal([["critical", outside.seal]]);
    expect(await findings(co, "unauthorized-stamp")).to.deep.equal([]);
  });

  it("after-hours: a usage at 22:00 Beijing time is found, one at 11:00 on a weekday is not", async () => {
    const co = await createCompany(svc);
    await grant(co, co.employee, co.seal.id);
    clock = Date.parse("2026-12-01T03:00:00.000Z");
    await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
    expect(await findings(co, "after-hours")).to.deep.equal([]);
    clock = Date.parse("2026-12-01T14:00:00.000Z");
    await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
    const found = await findings(co, "after-hours");
    expect(found.map((f) => [f.severity, f.subject, f.records.length])).to.deep.equal([["warning", co.seal.id, 1]]);
  });

  it("burst: uses of one seal reaching the count within the window are found; the same uses spread out are not", async () => {
    const spread = await createCompany(svc);
    const bursting = await createCompany(svc);
    for (const co of [spread, bursting]) {
      await grant(co, co.employee, co.seal.id);
      await settings(co, { burstCount: 3, burstWindowMinutes: 10 });
    }
    clock = Date.parse("2026-12-01T03:00:00.000Z");
    for (let i = 0; i < 3; i++) {
      await ok(useSeal(svc, spread.employee, spread.seal, spread.scenarios.none));
      await ok(useSeal(svc, bursting.employee, bursting.seal, bursting.scenarios.none));
      clock += 6 * 60_000;
      await ok(useSeal(svc, bursting.employee, bursting.seal, bursting.scenarios.none));
    }
    expect(await findings(spread, "burst")).to.deep.equal([]);
    const found = await findings(bursting, "burst");
    expect(found.length).to.be.greaterThan(0);
    expect(found[0]).to.deep.include({ severity: "warning", subject: bursting.seal.id });
    expect(found[0].records.length).to.be.at.least(3);
  });

  it("before-revocation: a use within 7 days before the revocation is found with the revocation; one 8 days before is not", async () => {
    const early = await createCompany(svc);
    const late = await createCompany(svc);
    for (const co of [early, late]) await grant(co, co.employee, co.seal.id);
    clock = Date.parse("2026-12-01T03:00:00.000Z");
    await ok(useSeal(svc, early.employee, early.seal, early.scenarios.none));
    clock += 2 * DAY_MS;
    await ok(useSeal(svc, late.employee, late.seal, late.scenarios.none));
    clock += 6 * DAY_MS;
    for (const co of [early, late]) await ok(svc.call("POST", `/api/v1/seals/${co.seal.id}/revoke`, { token: co.admin.token }));
    expect(await findings(early, "before-revocation")).to.deep.equal([]);
    const found = await findings(late, "before-revocation");
    expect(found.map((f) => [f.subject, f.records.map((r) => r.type)])).to.deep.equal([[late.seal.id, ["seal.used", "seal.revoked"]]]);
  });

  it("repeated-document: one document sealed three times is found; twice is not", async () => {
    const co = await createCompany(svc);
    await grant(co, co.employee, co.seal.id);
    for (let i = 0; i < 2; i++) await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none, { document: "twice.pdf" }));
    expect(await findings(co, "repeated-document")).to.deep.equal([]);
    for (let i = 0; i < 3; i++) await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none, { document: "thrice.pdf" }));
    const found = await findings(co, "repeated-document");
    expect(found.map((f) => [f.severity, f.records.length])).to.deep.equal([["warning", 3]]);
  });

  it("dormant-grant: a grant unused for 90 days is found; one requested under 10 days ago is not", async () => {
    const co = await createCompany(svc);
    const idle = await addPerson(svc, co.legalRep, ["employee"]);
    clock = Date.parse("2026-12-01T03:00:00.000Z") - 100 * DAY_MS;
    const idleGrant = await grant(co, idle, co.seal.id);
    await grant(co, co.employee, co.seal.id);
    clock = Date.parse("2026-12-01T03:00:00.000Z") - 10 * DAY_MS;
    // A request under the grant is a use of it (a usage's signedAt cannot lie behind a clock set in the past).
    await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
    const at = "from=2026-01-01T00:00:00.000Z&to=2026-12-01T03:00:00.000Z";
    const found = await findings(co, "dormant-grant", at);
    expect(found.map((f) => f.subject)).to.deep.equal([idleGrant.id]);
    expect(found[0].records.map((r) => r.type)).to.deep.equal(["grant.given"]);
    // Looking at a point 60 days after the idle grant was given, it is not dormant yet.
    expect(await findings(co, "dormant-grant", "from=2026-01-01T00:00:00.000Z&to=2026-10-01T00:00:00.000Z")).to.deep.equal([]);
  });

  it("grant-holder-moved: a holder who changed department is a warning, one who left with the grant still held is critical; leaving through the API withdraws it", async () => {
    const co = await createCompany(svc);
    const mover = await addPerson(svc, co.legalRep, ["employee"], "sales");
    const stayer = await addPerson(svc, co.legalRep, ["employee"], "sales");
    const leaver = await addPerson(svc, co.legalRep, ["employee"], "sales");
    const moved = await grant(co, mover, co.seal.id);
    await grant(co, stayer, co.seal.id);
    await grant(co, leaver, co.seal.id);
    await ok(svc.call("POST", `/api/v1/members/${stayer.id}/roles`, { token: co.legalRep.token, body: { roles: ["employee", "auditor"], department: "sales" } }));
    await ok(svc.call("POST", `/api/v1/members/${leaver.id}/leave`, { token: co.legalRep.token }));
    expect(await findings(co, "grant-holder-moved")).to.deep.equal([]);

    await ok(svc.call("POST", `/api/v1/members/${mover.id}/roles`, { token: co.legalRep.token, body: { roles: ["employee"], department: "finance" } }));
    const [warning] = await findings(co, "grant-holder-moved");
    expect([warning.severity, warning.subject, warning.records.map((r) => r.type)]).to.deep.equal(["warning", moved.id, ["grant.given", "member.roles-changed"]]);

    // A member.left written past the API, without the withdrawal that leaving performs.
    const left = (await svc.store.records.page({ company: co.id, type: "member.left" }, { limit: 1 })).items[0].record;
    await svc.store.records.append([{ type: "member.left", at: new Date().toISOString(), company: co.id, subject: mover.id, actor: left.actor, data: {} }]);
    const [critical] = await findings(co, "grant-holder-moved");
    expect([critical.severity, critical.subject, critical.records.map((r) => r.type)]).to.deep.equal(["critical", moved.id, ["grant.given", "member.left"]]);
    const alerts = (await recordsOf(svc, co.id, "alert.raised")).filter((r) => r.data.code === "AUDIT_GRANT_HELD_AFTER_LEAVING");
    expect(alerts).to.have.length(1);
  });

  it("approver-concentration: one approver giving 80% of enough approvals is found; approvals shared are not", async () => {
    const shared = await createCompany(svc);
    const single = await createCompany(svc);
    for (const co of [shared, single]) {
      await grant(co, co.employee, co.seal.id);
      await grant(co, co.deptHead, co.seal.id);
      await settings(co, { approverMinApprovals: 2, approverSharePercent: 80 });
    }
    for (const [co, approvers] of [[shared, [shared.legalRep, shared.deptHead]], [single, [single.legalRep, single.legalRep]]] as const) {
      for (const approver of approvers) await ok(svc.call("POST", `/api/v1/requests/${await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead)}/approve`, { token: approver.token }));
    }
    expect(await findings(shared, "approver-concentration")).to.deep.equal([]);
    const found = await findings(single, "approver-concentration");
    expect(found.map((f) => [f.subject, f.records.length])).to.deep.equal([[single.legalRep.id, 2]]);
  });

  it("custodian-is-reviewer: one member confirming custody of a seal in both roles is critical; two members are not", async () => {
    const co = await createCompany(svc);
    const device = await unlockedDevice(svc, co, { copies: 1 });
    expect(await findings(co, "custodian-is-reviewer")).to.deep.equal([]);

    const second = await unlockedDevice(svc, co, { copies: 1 }, { device, seal: device.seal });
    const byCustodian = (await recordsOf(svc, co.id, "request.custody-confirmed")).find((r) => r.subject === second.request && r.data.role === "custodian");
    if (byCustodian === undefined) throw new Error("no custodian confirmation");
    // A confirmation written past the API: the custodian again, this time as the reviewer of another request.
    await svc.store.records.append([{ type: "request.custody-confirmed", at: new Date().toISOString(), company: co.id, subject: device.request, actor: byCustodian.actor, data: { role: "reviewer" } }]);
    const found = await findings(co, "custodian-is-reviewer");
    expect(found.map((f) => [f.severity, f.subject, f.records.length])).to.deep.equal([["critical", device.seal, 3]]);
  });

  it("lists every rule with its thresholds, takes the legal representative's settings, and refuses others", async () => {
    const co = await createCompany(svc);
    const before = await ok(svc.call("GET", `/api/v1/audit/findings?${PERIOD}`, { token: co.legalRep.token }));
    expect(before.rules.map((r: { rule: string }) => r.rule)).to.have.length(11);
    expect(before.rules.find((r: { rule: string }) => r.rule === "dormant-grant").thresholds).to.deep.equal({ dormantGrantDays: 90 });
    await settings(co, { dormantGrantDays: 30 });
    const after = await ok(svc.call("GET", `/api/v1/audit/findings?${PERIOD}`, { token: co.auditor.token }));
    expect(after.rules.find((r: { rule: string }) => r.rule === "dormant-grant").thresholds).to.deep.equal({ dormantGrantDays: 30 });
    expect((await recordsOf(svc, co.id, "audit.settings-changed")).map((r) => r.data.dormantGrantDays)).to.deep.equal([30]);
    expect((await svc.call("POST", "/api/v1/audit/settings", { token: co.auditor.token, body: { burstCount: 2 } })).status).to.equal(403);
    expect((await svc.call("POST", "/api/v1/audit/settings", { token: co.legalRep.token, body: { workStartHour: 20, workEndHour: 8 } })).status).to.equal(400);
    expect((await svc.call("GET", `/api/v1/audit/findings?${PERIOD}`, { token: co.employee.token })).status).to.equal(403);
    const other = await createCompany(svc);
    expect((await svc.call("GET", `/api/v1/audit/findings?${PERIOD}&company=${co.id}`, { token: other.auditor.token })).status).to.equal(404);
  });
});
