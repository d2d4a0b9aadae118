// Alerts as members handle them, through the real service: listed and narrowed, acknowledged and resolved, each
// change a record (the resolver's note kept out of the log), a resolved alert left alone; the system's alerts are the
// operator's alone.
import { expect } from "chai";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany } from "../helpers/company";
import { raiseAlert, SYSTEM_COMPANY } from "../../service/alerts/raise";
import type { AlertCode } from "../../service/alerts/codes";
import { recordsOf } from "../devices/helpers";

describe("alerts: listed, acknowledged and resolved", function () {
  this.timeout(60_000);
  let svc: TestService;
  let co: TestCompany;
  let seal: string;
  let device: string;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    device = (await enrolDevice(svc, co.admin)).id;
    seal = await physicalSeal(svc, co, device);
  });
  after(() => svc.stop());

  const raise = async (code: AlertCode, company = co.id, subject = seal, data: { [key: string]: string } = { device }) =>
    (await svc.store.transaction((tx) => raiseAlert(tx, { code, at: new Date(), company, subject, source: device, data }))).id;
  const admin = (method: string, route: string, body?: unknown) => svc.call(method, `/api/v1${route}`, { token: co.admin.token, body });
  const ids = (r: { body: { alerts: Array<{ id: string }> } }) => r.body.alerts.map((a) => a.id);

  it("lists the company's alerts oldest first, a page at a time, narrowed by severity, state, seal and device", async () => {
    const other = await createCompany(svc);
    const gap = await raise("STAMP_GAP");
    const stamp = await raise("UNAUTHORIZED_STAMP");
    const elsewhere = await raise("DEVICE_TAMPERED", co.id, "d_2qPZsQXs9KqJMbd1", { device: "d_2qPZsQXs9KqJMbd1" });
    await raise("STAMP_GAP", other.id, "s_2qPZsQXs9KqJMbd1", {});
    await ok(admin("POST", `/alerts/${stamp}/acknowledge`));

    const first = await ok(admin("GET", "/alerts?limit=2"));
    expect(first.alerts.map((a: { id: string }) => a.id)).to.deep.equal([gap, stamp]);
    const second = await ok(admin("GET", `/alerts?limit=2&after=${encodeURIComponent(first.next)}`));
    expect([second.alerts.map((a: { id: string }) => a.id), second.next]).to.deep.equal([[elsewhere], null]);
    expect(ids(await admin("GET", "/alerts?severity=critical"))).to.deep.equal([stamp, elsewhere]);
    expect(ids(await admin("GET", "/alerts?state=open"))).to.deep.equal([gap, elsewhere]);
    expect(ids(await admin("GET", "/alerts?state=acknowledged&severity=critical"))).to.deep.equal([stamp]);
    expect(ids(await admin("GET", `/alerts?seal=${seal}`))).to.deep.equal([gap, stamp]);
    expect(ids(await admin("GET", "/alerts?device=d_2qPZsQXs9KqJMbd1"))).to.deep.equal([elsewhere]);
    expect((await admin("GET", "/alerts?state=closed")).status).to.equal(400);

    const one = await ok(admin("GET", `/alerts/${gap}`));
    expect(one).to.deep.include({ id: gap, company: co.id, code: "STAMP_GAP", severity: "warning", subject: seal, seal, device, state: "open", resolution: null });
    const raised = await ok(admin("GET", `/records/by-id/${one.record}`));
    expect([raised.record.type, raised.record.data.alert]).to.deep.equal(["alert.raised", gap]);
  });

  it("acknowledges once and resolves with a note, each a record naming the alert and not the note; a resolved alert is refused", async () => {
    const id = await raise("UNAUTHORIZED_STAMP");
    const acknowledged = await ok(admin("POST", `/alerts/${id}/acknowledge`));
    expect(acknowledged).to.deep.include({ state: "acknowledged", acknowledgedBy: co.admin.id });
    const again = await ok(admin("POST", `/alerts/${id}/acknowledge`));
    expect(again.acknowledgedAt).to.equal(acknowledged.acknowledgedAt);
    const note = "Stamped by Li Si in the archive room; the device was recalibrated.";
    const resolved = await ok(svc.call("POST", `/api/v1/alerts/${id}/resolve`, { token: co.legalRep.token, body: { note } }));
    expect(resolved).to.deep.include({ state: "resolved", resolvedBy: co.legalRep.id, resolution: note, acknowledgedBy: co.admin.id });

    const handling = (await recordsOf(svc, co.id)).filter((r) => (r.type === "alert.acknowledged" || r.type === "alert.resolved") && r.data.alert === id);
    expect(handling.map((r) => [r.type, r.actor, r.subject, r.data])).to.deep.equal([
      ["alert.acknowledged", co.admin.id, seal, { alert: id }],
      ["alert.resolved", co.legalRep.id, seal, { alert: id }],
    ]);
    for (const [route, body] of [[`/alerts/${id}/resolve`, { note: "again" }], [`/alerts/${id}/acknowledge`, undefined]] as const) {
      const r = await admin("POST", route, body);
      expect([r.status, r.body.error.code]).to.deep.equal([409, "ALERT_RESOLVED"]);
    }
    expect((await admin("POST", `/alerts/${await raise("STAMP_GAP")}/resolve`, { note: " " })).status).to.equal(400);
  });

  it("keeps the system's alerts for the operator: members never see them, the operator handles them under /system/alerts", async () => {
    const id = await raise("ROOT_MISMATCH", SYSTEM_COMPANY, "batcher", {});
    expect((await ok(admin("GET", "/alerts"))).alerts.map((a: { code: string }) => a.code)).not.to.include("ROOT_MISMATCH");
    expect((await admin("GET", `/alerts/${id}`)).status).to.equal(404);
    expect((await admin("GET", "/system/alerts")).status).to.equal(401);
    expect((await svc.call("GET", "/api/v1/alerts", { token: OPERATOR_TOKEN })).status).to.equal(401);

    const operator = (method: string, route: string, body?: unknown) => ok(svc.call(method, `/api/v1/system/alerts${route}`, { token: OPERATOR_TOKEN, body }));
    expect((await operator("GET", "?state=open")).alerts.map((a: { id: string }) => a.id)).to.include(id);
    expect(await operator("POST", `/${id}/acknowledge`)).to.deep.include({ state: "acknowledged", acknowledgedBy: "operator" });
    expect(await operator("POST", `/${id}/resolve`, { note: "re-deployed the contract" })).to.deep.include({ state: "resolved", resolvedBy: "operator" });
    const resolved = (await recordsOf(svc, SYSTEM_COMPANY, "alert.resolved")).filter((r) => r.data.alert === id);
    expect(resolved.map((r) => [r.actor, r.subject])).to.deep.equal([["operator", "batcher"]]);
    expect((await svc.call("GET", `/api/v1/system/alerts/${await raise("STAMP_GAP")}`, { token: OPERATOR_TOKEN })).status).to.equal(404);
  });
});
